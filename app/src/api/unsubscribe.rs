//! Unsubscribing from the link in every survey email (and its `List-Unsubscribe` header).
//! Opening the page changes nothing, so a mail scanner that follows links unsubscribes no
//! one; only the POST (the page's button, or a mail client's one-click) does.

use crate::error::AppError;
use crate::model::UnsubscribeView;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::domain::Locale;
    use crate::ports::{Contact, Services};

    /// The contact a personal link's token was made for, and the language to speak.
    async fn contact_for(services: &Services, token: &str) -> Result<(Contact, Locale), AppError> {
        let unknown = || AppError::not_found("This unsubscribe link is not valid.");
        let well_formed = (16..=100).contains(&token.len())
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !well_formed {
            return Err(unknown());
        }
        let hash = services.settings.token_hash(token);
        let invitation = services
            .store
            .invitation(&hash)
            .await?
            .ok_or_else(unknown)?;
        let id = invitation.contact_id.ok_or_else(unknown)?;
        let contact = services.store.contact(id).await?.ok_or_else(unknown)?;
        let survey_locale = services
            .store
            .survey(invitation.survey_id)
            .await?
            .map(|s| s.definition.default_locale);
        let locale = contact
            .locale
            .or(invitation.locale)
            .or(survey_locale)
            .unwrap_or(Locale::En);
        Ok((contact, locale))
    }

    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn page(services: &Services, token: &str) -> Result<UnsubscribeView, AppError> {
        let (contact, locale) = contact_for(services, token).await?;
        Ok(UnsubscribeView {
            email_hint: hint(&contact.email),
            locale,
            unsubscribed: contact.suppressed.is_some(),
        })
    }

    /// Suppresses the contact as unsubscribed; a bounce or complaint already recorded is
    /// kept, since it says more.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn unsubscribe(services: &Services, token: &str) -> Result<(), AppError> {
        let (contact, _) = contact_for(services, token).await?;
        if contact.suppressed.is_none() {
            services
                .store
                .set_suppression(contact.id, Some("unsubscribed"))
                .await?;
            tracing::info!(contact = contact.id, "unsubscribed");
        }
        Ok(())
    }

    /// `ana@example.com` → `a***@example.com`: enough to recognise, not to harvest.
    fn hint(email: &str) -> String {
        match email.split_once('@') {
            Some((local, domain)) => {
                let first: String = local.chars().take(1).collect();
                format!("{first}***@{domain}")
            }
            None => "***".to_owned(),
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn the_page_shows_only_a_hint_of_the_address() {
            assert_eq!(super::hint("ana.lopez@example.com"), "a***@example.com");
            assert_eq!(super::hint("x"), "***");
        }
    }
}

#[server(prefix = "/rpc", endpoint = "unsubscribe_page")]
pub async fn load_unsubscribe(token: String) -> Result<UnsubscribeView, AppError> {
    use crate::api::context;
    let services = context::services()?;
    page(&services, &token).await.or_else(context::fail)
}
