//! The Unified Social Credit Code (统一社会信用代码) of GB 32100-2015.
//!
//! 18 characters over the 31-character set `0-9 A-H J-N P-R T U W-Y` (no
//! I, O, Z, S or V). The last one is a check character: with each
//! character's value its index in that set, and the weights
//! `3^(i-1) mod 31` for positions 1 to 17, the check value is
//! `31 - (Σ value × weight mod 31)`, where 31 stands for 0.

/// The characters a code may use; a character's value is its index.
pub const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The weights of positions 1 to 17.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// The length of a code.
pub const LENGTH: usize = 18;

/// Why a text is not a valid code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    /// Not 18 characters.
    #[error("must be 18 characters, not {0}")]
    Length(usize),
    /// A character outside the code's character set.
    #[error("`{character}` at position {position} is not allowed; use 0-9 and A-Y without I, O, S, V, Z")]
    Charset {
        /// 1-based position.
        position: usize,
        /// The offending character.
        character: char,
    },
    /// The last character is not the check character of the first 17.
    #[error("the check character should be `{expected}`, not `{found}`")]
    CheckCharacter {
        /// What the first 17 characters call for.
        expected: char,
        /// What was given.
        found: char,
    },
}

impl UsccError {
    /// A stable code for API field errors: `length`, `charset` or `check_character`.
    pub fn code(&self) -> &'static str {
        match self {
            UsccError::Length(_) => "length",
            UsccError::Charset { .. } => "charset",
            UsccError::CheckCharacter { .. } => "check_character",
        }
    }
}

fn value_of(c: char) -> Option<u32> {
    CHARSET.chars().position(|x| x == c).and_then(|i| u32::try_from(i).ok())
}

fn char_of(value: u32) -> char {
    CHARSET.chars().nth(value as usize).unwrap_or('0')
}

/// The check character for the first 17 characters of a code (already upper case).
/// `None` when there are not exactly 17 characters from the set.
pub fn check_character(first17: &str) -> Option<char> {
    let values: Vec<u32> = first17.chars().map(value_of).collect::<Option<_>>()?;
    if values.len() != WEIGHTS.len() {
        return None;
    }
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    Some(char_of((31 - sum % 31) % 31))
}

/// Parse a code as typed: surrounding white space is ignored and lower case
/// is accepted. Returns it in upper case, the form it is stored in.
pub fn parse(input: &str) -> Result<String, UsccError> {
    let code = input.trim().to_uppercase();
    let length = code.chars().count();
    if length != LENGTH {
        return Err(UsccError::Length(length));
    }
    if let Some((i, c)) = code.chars().enumerate().find(|(_, c)| value_of(*c).is_none()) {
        return Err(UsccError::Charset { position: i + 1, character: c });
    }
    let (first17, last) = code.split_at(LENGTH - 1);
    let expected = check_character(first17).ok_or(UsccError::Length(length))?;
    let found = last.chars().next().unwrap_or(' ');
    if expected != found {
        return Err(UsccError::CheckCharacter { expected, found });
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes of real companies, as published.
    const REAL: &[&str] = &[
        "91350100M000100Y43",
        "911100007109288314",
        "91310000717854505W",
        "91440300708461136T",
        "91110108551385082Q",
        "91330100799655058B",
    ];

    #[test]
    fn real_codes_are_valid() {
        for code in REAL {
            assert_eq!(parse(code).as_deref(), Ok(*code), "{code}");
        }
    }

    #[test]
    fn lower_case_and_spaces_are_accepted_and_stored_upper_case() {
        assert_eq!(parse(" 91310000717854505w ").as_deref(), Ok("91310000717854505W"));
    }

    #[test]
    fn the_weights_are_powers_of_three_mod_31() {
        let mut w = 1;
        for weight in WEIGHTS {
            assert_eq!(weight, w);
            w = w * 3 % 31;
        }
        assert_eq!(CHARSET.len(), 31);
    }

    #[test]
    fn a_wrong_check_character_is_refused() {
        assert_eq!(parse("91350100M000100Y44"), Err(UsccError::CheckCharacter { expected: '3', found: '4' }));
        assert_eq!(parse("91350100M000100Y44").map_err(|e| e.code()), Err("check_character"));
    }

    #[test]
    fn a_remainder_of_zero_gives_the_check_character_zero() {
        // Find a prefix whose weighted sum is a multiple of 31 by adjusting the last position.
        let base = "9131000071785450";
        let prefix = CHARSET
            .chars()
            .map(|c| format!("{base}{c}"))
            .find(|p| {
                let sum: u32 = p.chars().zip(WEIGHTS).map(|(c, w)| value_of(c).unwrap_or(0) * w).sum();
                sum.is_multiple_of(31)
            })
            .expect("one of 31 values makes the sum a multiple of 31");
        assert_eq!(check_character(&prefix), Some('0'));
        assert!(parse(&format!("{prefix}0")).is_ok());
    }

    #[test]
    fn wrong_lengths_are_refused() {
        assert_eq!(parse("91350100M000100Y4"), Err(UsccError::Length(17)));
        assert_eq!(parse("91350100M000100Y433"), Err(UsccError::Length(19)));
        assert_eq!(parse(""), Err(UsccError::Length(0)));
        assert_eq!(parse("913501").map_err(|e| e.code()), Err("length"));
    }

    #[test]
    fn forbidden_letters_are_refused() {
        for bad in ['I', 'O', 'Z', 'S', 'V'] {
            let code = format!("91350100M000100{bad}43");
            assert_eq!(parse(&code), Err(UsccError::Charset { position: 16, character: bad }), "{code}");
        }
        assert_eq!(parse("91350100M000100-43").map_err(|e| e.code()), Err("charset"));
        assert_eq!(parse("91350100M000100上43").map_err(|e| e.code()), Err("charset"));
    }
}
