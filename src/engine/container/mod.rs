//! Container verbs: create, start (through the supervisor), run, stop,
//! kill, rm, and the read side (ps, logs, inspect, wait).

pub mod attach;
pub mod create;
pub mod exec;
pub mod export;
pub mod inspect;
pub mod logs;
pub mod names;
pub mod network;
pub mod port;
pub mod ps;
pub mod remove;
pub mod run;
pub mod spec;
pub mod start;
pub mod state;
pub mod stop;
pub mod ulimit;
pub mod user;
