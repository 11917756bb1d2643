//! Repeated query keys as one comma list: `status=new&status=working` reads as
//! `status=new,working`.
//!
//! The schema documents list filters as `style: form, explode: false` (one
//! comma-separated value), but some client generators (openapi-python-client)
//! send a list as repeated keys whatever the style says. Both spellings mean
//! the same for the list filters ([`crate::openapi::LIST_FILTERS`]); any other
//! parameter given twice is still refused (400).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::middleware::Next;
use actix_web::Error;

/// Whether `key` names a list filter, which takes a comma list.
fn is_list_filter(key: &str) -> bool {
    crate::openapi::LIST_FILTERS.iter().any(|(_, param, _)| *param == key)
}

/// `query` with each repeated list filter's values joined into one comma
/// list, in the order the keys first appear; `None` when none repeats.
pub fn merged(query: &str) -> Option<String> {
    let mut pairs: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut repeated = false;
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        match pairs.iter_mut().find(|(k, _)| *k == key && is_list_filter(key)) {
            Some((_, values)) => {
                values.push(value);
                repeated = true;
            }
            None => pairs.push((key, vec![value])),
        }
    }
    repeated.then(|| pairs.iter().map(|(k, v)| format!("{k}={}", v.join("%2C"))).collect::<Vec<_>>().join("&"))
}

/// Middleware: rewrite a query string whose keys repeat, before routing.
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if let Some(query) = merged(req.query_string()) {
        let uri = format!("{}?{query}", req.path());
        if let Ok(uri) = uri.parse::<Uri>() {
            req.head_mut().uri = uri;
        }
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::merged;

    #[test]
    fn repeated_keys_become_one_comma_list_and_others_are_left_alone() {
        assert_eq!(merged("status=new&status=working&limit=5").as_deref(), Some("status=new%2Cworking&limit=5"));
        assert_eq!(merged("status=new,working&limit=5"), None);
        assert_eq!(merged(""), None);
        assert_eq!(
            merged("tier=key&kind=call&tier=normal&kind=visit").as_deref(),
            Some("tier=key%2Cnormal&kind=call%2Cvisit")
        );
        assert_eq!(merged("q=a&q=b"), None, "a one-value parameter is left to refuse the repeat");
    }
}
