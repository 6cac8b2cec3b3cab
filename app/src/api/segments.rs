//! Segments: saved audiences over contact attributes, each shown with its current size.

use crate::error::AppError;
use crate::model::SegmentView;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::domain::segments::{check_name, Condition, SegmentFilter};
    use crate::error::ErrorKind;
    use crate::model::{ConditionView, SegmentSize};
    use crate::ports::{Segment, Store, StoreError, User};

    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn size(store: &dyn Store, filter: &SegmentFilter) -> Result<SegmentSize, AppError> {
        filter
            .check()
            .map_err(|message| AppError::bad_input("conditions", message))?;
        let (contacts, sendable) = store.count_matching(filter).await?;
        Ok(SegmentSize { contacts, sendable })
    }

    #[tracing::instrument(skip_all, fields(user_id = user.id), err(level = "info"))]
    pub async fn create(
        store: &dyn Store,
        user: &User,
        name: &str,
        filter: SegmentFilter,
    ) -> Result<SegmentView, AppError> {
        let name = check_name(name).map_err(|message| AppError::bad_input("name", message))?;
        filter
            .check()
            .map_err(|message| AppError::bad_input("conditions", message))?;
        let segment = store
            .create_segment(&name, &filter, user.id)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => {
                    AppError::new(ErrorKind::Conflict, "Another segment has this name.").on("name")
                }
                other => other.into(),
            })?;
        view(store, segment).await
    }

    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn list(store: &dyn Store) -> Result<Vec<SegmentView>, AppError> {
        let mut views = Vec::new();
        for segment in store.list_segments().await? {
            views.push(view(store, segment).await?);
        }
        Ok(views)
    }

    #[tracing::instrument(skip_all, fields(segment_id = id), err(level = "info"))]
    pub async fn delete(store: &dyn Store, id: i64) -> Result<(), AppError> {
        match store.delete_segment(id).await? {
            true => Ok(()),
            false => Err(AppError::not_found("There is no segment with this id.")),
        }
    }

    async fn view(store: &dyn Store, segment: Segment) -> Result<SegmentView, AppError> {
        let size = size(store, &segment.filter).await?;
        Ok(SegmentView {
            id: segment.id,
            description: segment.filter.describe(),
            name: segment.name,
            conditions: segment
                .filter
                .conditions
                .into_iter()
                .map(|Condition { attribute, value }| ConditionView { attribute, value })
                .collect(),
            size,
        })
    }

    /// The API's conditions as the domain's filter.
    pub fn filter(conditions: Vec<ConditionView>) -> SegmentFilter {
        SegmentFilter {
            conditions: conditions
                .into_iter()
                .map(|c| Condition {
                    attribute: c.attribute,
                    value: c.value,
                })
                .collect(),
        }
    }
}

#[server(prefix = "/rpc", endpoint = "segments")]
pub async fn load_segments() -> Result<Vec<SegmentView>, AppError> {
    use crate::api::{auth::Action, context};
    let (services, _) = context::require(Action::ManageContacts)
        .await
        .or_else(context::fail)?;
    list(services.store.as_ref()).await.or_else(context::fail)
}

/// The admin area's form: a name and conditions written one per line.
#[server(prefix = "/rpc", endpoint = "create_segment")]
pub async fn create_segment(name: String, conditions: String) -> Result<SegmentView, AppError> {
    use crate::api::{auth::Action, context};
    use crate::domain::segments::SegmentFilter;
    let (services, user) = context::require(Action::ManageContacts)
        .await
        .or_else(context::fail)?;
    let result = match SegmentFilter::parse_lines(&conditions) {
        Ok(filter) => create(services.store.as_ref(), &user, &name, filter).await,
        Err(message) => Err(AppError::bad_input("conditions", message)),
    };
    result
        .map_err(|e| e.with_input([("name", name.as_str()), ("conditions", conditions.as_str())]))
        .or_else(context::fail)
}
