//! One module per route.

pub mod account;
pub mod answer;
pub mod case;
pub mod cases;
pub mod contacts;
pub mod digest_stop;
pub mod editor;
pub mod forgot;
pub mod home;
pub mod inbox;
pub mod login;
pub mod not_found;
pub mod password;
pub mod response;
pub mod sends;
pub mod setup;
pub mod survey;
pub mod surveys;
pub mod thanks;
pub mod tokens;
pub mod unsubscribe;
pub mod users;
pub mod webhooks;
