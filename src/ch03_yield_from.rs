//! Placeholder: this chapter is being written.
