//! Placeholder: this chapter is being written.
#![allow(dead_code, unused_variables)]
