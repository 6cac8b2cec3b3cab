//! What the two backends spell differently, as one value per backend (`sqlite::DIALECT`,
//! `postgres::DIALECT`) that the shared storage code names; each declaration gives the
//! reason for every difference.

#[derive(Debug)]
pub struct Dialect {
    /// Appended to the sub-select that picks outbox rows to claim.
    pub claim_lock: &'static str,
    /// A contact upsert's attributes: the stored ones with the new values laid over them.
    pub merge_attributes: &'static str,
    /// A contact attribute's value: the expression's opening and the prefix of the bound
    /// attribute name; the expression is closed with `)`.
    pub attribute_value: (&'static str, &'static str),
    /// A response's grouping attribute: as `attribute_value`, over `r.groups`.
    pub group_value: (&'static str, &'static str),
    /// Where the backend tests all of a view's attributes at once (`r.groups` contains
    /// the bound JSON object): the expression's opening and closing.
    pub groups_contain: Option<(&'static str, &'static str)>,
    /// `LIKE` that ignores case.
    pub like_any_case: &'static str,
    /// How a transaction that will write begins.
    pub begin_write: &'static str,
    /// Between `INSERT INTO responses (…)` and `VALUES`: lets a response take the id
    /// it was given (an anonymous one's random id).
    pub chosen_id: &'static str,
    /// The next id the database counts for a response, where none was given.
    pub next_response_id: &'static str,
    /// A fresh random secret as text, evaluated per row: at least 128 bits from the
    /// database's strong random source.
    pub random_secret: &'static str,
    /// What brings the planner up to date after a bulk load.
    pub refresh_statistics: &'static str,
}
