//! Cancellation of long computations whose answer nobody waits for any more (the client
//! left, or its time limit passed): a token set by the caller, read by the searches every
//! 65,536 settled nodes through a thread-local, so no signature below the HTTP layer changes.
//! Parallel work passes the token on to its worker threads ([`current`], [`run_with`]).

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A cancellation flag shared by the caller and the computation.
#[derive(Debug, Clone, Default)]
pub struct Token(Arc<AtomicBool>);

impl Token {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Token>> = const { RefCell::new(None) };
}

/// Runs `f` with `token` as this thread's cancellation token (`None`: none).
pub fn run_with<T>(token: Option<&Token>, f: impl FnOnce() -> T) -> T {
    let previous = CURRENT.with(|c| c.replace(token.cloned()));
    // Restored even if `f` panics.
    struct Restore(Option<Token>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let _restore = Restore(previous);
    f()
}

/// This thread's token, to hand on to worker threads.
pub fn current() -> Option<Token> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Whether this thread's computation has been cancelled.
pub fn requested() -> bool {
    CURRENT.with(|c| c.borrow().as_ref().is_some_and(Token::is_cancelled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_seen_inside_and_restored_after() {
        let t = Token::new();
        assert!(!requested());
        run_with(Some(&t), || {
            assert!(!requested());
            t.cancel();
            assert!(requested());
            let inner = Token::new();
            run_with(Some(&inner), || assert!(!requested()));
            assert!(requested());
        });
        assert!(!requested());
        assert!(current().is_none());
    }
}
