//! What only SQLite has: opening a database file (its modes, its journal,
//! the server mode's privilege), its schema's migrations, and the
//! background checkpointer of its write-ahead log. The statements both
//! engines share go through `store::db`; PostgreSQL's own parts are in
//! `store::postgres`.

mod checkpoint;
pub mod open;
pub mod schema;
