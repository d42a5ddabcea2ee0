//! Which rows have writes waiting in an outbox, so that the write path never
//! overtakes them: a newer write of such a row is left to the replayer too,
//! which applies them in order. Every other row is mirrored at once.

use std::collections::HashSet;
use std::sync::Mutex;

use crate::inner::lock;

#[derive(Debug, Default)]
struct Keys {
    /// Ordering keys with entries waiting in the outbox.
    waiting: HashSet<String>,
    /// Keys deferred since the current replay pass began.
    added: HashSet<String>,
}

/// The deferred ordering keys of one outbox, as this process knows them.
#[derive(Debug, Default)]
pub(crate) struct Deferred(Mutex<Keys>);

impl Deferred {
    /// Whether writes of `key` must queue behind waiting entries.
    pub(crate) fn contains(&self, key: &str) -> bool {
        lock(&self.0).waiting.contains(key)
    }

    /// Records that an entry of `key` was left in the outbox.
    pub(crate) fn defer(&self, key: String) {
        let mut keys = lock(&self.0);
        keys.added.insert(key.clone());
        keys.waiting.insert(key);
    }

    /// A copy of the waiting keys (for one replay pass).
    pub(crate) fn snapshot(&self) -> HashSet<String> {
        lock(&self.0).waiting.clone()
    }

    /// A replay pass is starting.
    pub(crate) fn pass_started(&self) {
        lock(&self.0).added.clear();
    }

    /// A replay pass saw the whole outbox: the keys of `still_there` keep
    /// waiting, with every key deferred since the pass began; the others
    /// are delivered and no longer hold writes back.
    pub(crate) fn settle(&self, still_there: &HashSet<String>) {
        let mut keys = lock(&self.0);
        let added = std::mem::take(&mut keys.added);
        keys.waiting.retain(|k| still_there.contains(k));
        keys.waiting.extend(added);
    }

    /// Seeds the keys of entries already waiting (at open).
    pub(crate) fn extend(&self, keys: impl IntoIterator<Item = String>) {
        lock(&self.0).waiting.extend(keys);
    }

    /// How many keys wait.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        lock(&self.0).waiting.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settling_keeps_what_is_still_there_and_what_was_deferred_meanwhile() {
        let d = Deferred::default();
        d.defer("session:a".into());
        d.defer("session:b".into());
        d.pass_started();
        d.defer("session:c".into());
        let still_there: HashSet<String> = ["session:b".to_owned()].into();
        d.settle(&still_there);
        assert!(!d.contains("session:a"));
        assert!(d.contains("session:b"));
        assert!(d.contains("session:c"));
        assert_eq!(d.len(), 2);
    }
}
