//! Every server test in one binary, so the whole server is linked once: stories on both
//! databases (storage and outbox contracts, HTTP, answering, contacts, the editor,
//! sending through a real SMTP server on loopback, and a crash of the process).

#[macro_use]
mod harness;

mod access;
mod account_links;
mod anonymity;
mod answering;
mod answers_export;
mod assets;
mod cases;
mod contacts;
mod crash;
mod dashboard_filters;
mod dashboards;
mod digests;
mod editor;
mod http;
mod inbox;
mod logs;
mod outbox_contract;
mod sending;
mod signing_in;
mod storage_contract;
mod webhooks;
mod weighting;
