//! A macro for the closed sets of lower snake_case words the API uses as enums.

/// The error when a stored or submitted word is not one of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not one of: {allowed}")]
pub struct UnknownVariant {
    /// What was given.
    pub value: String,
    /// The accepted words, comma-separated.
    pub allowed: String,
}

/// Declare an enum whose variants are stored and sent as lower snake_case words.
///
/// It derives serde and utoipa with the same spelling, and adds `as_str`,
/// `ALL`, `FromStr`, and the conversions from and to `String` that the
/// database layer uses for TEXT columns: `TryFrom<String>`, which refuses an
/// unknown word with [`UnknownVariant`], and `From<Self> for String`.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] #[schema(rename = $word)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word stored in the database and sent over the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::text_enum::UnknownVariant;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($word => Ok($name::$variant),)+
                    _ => Err($crate::text_enum::UnknownVariant {
                        value: s.to_owned(),
                        allowed: [$($word),+].join(", "),
                    }),
                }
            }
        }

        impl std::convert::TryFrom<String> for $name {
            type Error = $crate::text_enum::UnknownVariant;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.as_str().to_owned()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::UnknownVariant;

    crate::text_enum! {
        /// A colour, for these tests.
        Colour {
            /// Red.
            Red => "red",
            /// Dark blue.
            DarkBlue => "dark_blue",
        }
    }

    #[test]
    fn a_stored_word_converts_to_its_variant_and_back() {
        for colour in Colour::ALL {
            let word: String = (*colour).into();
            assert_eq!(word, colour.as_str());
            assert_eq!(Colour::try_from(word), Ok(*colour));
        }
    }

    #[test]
    fn an_unknown_stored_word_is_an_error_not_a_default() {
        assert_eq!(
            Colour::try_from("blue".to_owned()),
            Err(UnknownVariant { value: "blue".to_owned(), allowed: "red, dark_blue".to_owned() })
        );
        assert!(Colour::try_from(String::new()).is_err());
        assert!(Colour::try_from("Red".to_owned()).is_err());
    }
}
