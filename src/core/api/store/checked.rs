//! A stored account checked for use: enough for a client, or a message naming what is
//! missing (the store keeps a record as the file has it: [`super::file`]).

use crate::core::api::store::file::{filled, Document};
use crate::core::auth::oauth2::Tokens;
use crate::core::error::Error;
use crate::core::settings::{Identity, Settings};
use crate::core::wire::signer::Credentials;

/// A stored account, checked: the settings of a client for it (an OAuth 1.0a
/// account's hold its user too), and who the user is.
pub struct Stored {
    pub settings: Settings,
    pub user_id: Option<u64>,
    pub screen_name: Option<String>,
}

impl Document {
    /// The account `name`, checked, or a message naming what is missing.
    pub fn account(&self, name: &str) -> Result<Stored, Error> {
        let path = &self.at;
        let record = self.accounts.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.accounts.keys().map(String::as_str).collect();
            // "(it has none: …)" or "(it has: a, b)".
            let has = match known.is_empty() {
                true => " none: run `tw-follow authorize` to save one".to_owned(),
                false => format!(": {}", known.join(", ")),
            };
            store_error!(path, "has no account {name:?} (it has{has})")
        })?;
        let broken = |what: &str| store_error!(path, "account {name:?} {what}");
        if record.unreadable {
            return Err(broken(
                "has a member of the wrong type: fix it, or remove the account and authorize again",
            ));
        }
        let app_name = filled(&record.app).ok_or_else(|| broken("names no app"))?;
        let app = self.apps.get(app_name).ok_or_else(|| {
            broken(&format!(
                "names the app {app_name:?}, which the store does not have"
            ))
        })?;
        let access_token =
            filled(&record.access_token).ok_or_else(|| broken("has no access_token"));
        let user_id = match filled(&record.user_id).map(str::parse::<u64>) {
            None => None,
            Some(Ok(id)) if id != 0 => Some(id),
            Some(_) => return Err(broken("has a user_id that is not a string of digits")),
        };
        let refused = |e: Error| store_error!(path, "account {name:?}: {}", e.message);
        let mut settings = match record.kind.as_deref() {
            Some("oauth1") => {
                // Copied only into the wiped Credentials, after every check.
                let access_token = access_token?;
                let pair = (filled(&app.consumer_key), filled(&app.consumer_secret));
                let (Some(key), Some(secret)) = pair else {
                    return Err(broken(&format!(
                        "is an OAuth 1.0a account, but its app {app_name:?} has no consumer_key and consumer_secret"
                    )));
                };
                let token_secret = filled(&record.access_token_secret)
                    .ok_or_else(|| broken("has no access_token_secret"))?;
                Settings::new(Credentials {
                    consumer_key: key.into(),
                    consumer_secret: secret.into(),
                    access_token: access_token.into(),
                    access_token_secret: token_secret.into(),
                })
                .map_err(refused)?
            }
            Some("oauth2") => {
                let client_id = filled(&app.client_id).ok_or_else(|| {
                    broken(&format!(
                        "is an OAuth 2.0 account, but its app {app_name:?} has no client_id"
                    ))
                })?;
                let refresh_token = filled(&record.refresh_token);
                let expires_at = record.expires_at.unwrap_or(0);
                let mut tokens = Tokens::from_parts(access_token?, refresh_token, expires_at)
                    .map_err(|e| broken(&e.message))?;
                tokens.scope = record.scope.clone().unwrap_or_default();
                let mut settings =
                    Settings::new_oauth2(client_id, filled(&app.client_secret)).map_err(refused)?;
                if let Some(app) = settings.oauth2.as_mut() {
                    app.tokens = Some(tokens);
                }
                settings
            }
            _ => return Err(broken("has no kind \"oauth1\" or \"oauth2\"")),
        };
        let screen_name = filled(&record.screen_name).map(str::to_owned);
        if settings.oauth2.is_none() {
            settings.identity = user_id
                .zip(screen_name.clone())
                .map(|(user_id, screen_name)| Identity {
                    user_id,
                    screen_name,
                });
        }
        Ok(Stored {
            settings,
            user_id,
            screen_name,
        })
    }
}
