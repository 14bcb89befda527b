//! The wakers of a topic's idle subscribers: one slot per subscriber, woken in batches.
//!
//! A subscriber owns its slot from subscribing until it leaves, so a subscriber that
//! goes away leaves nothing behind (a plain list of wakers would keep growing on a
//! silent topic). Waking takes the wakers out in batches, so the topic's lock is never
//! held while tasks are woken.

use std::task::Waker;

/// How many wakers are taken out of the lock at a time.
const BATCH: usize = 32;

#[derive(Debug, Default)]
pub(super) struct Waiters {
    slots: Vec<Option<Waker>>,
    free: Vec<usize>,
    /// How many slots hold a waker.
    waiting: usize,
}

impl Waiters {
    /// Reserves a slot for a new subscriber.
    pub(super) fn insert(&mut self) -> usize {
        if let Some(slot) = self.free.pop() {
            return slot;
        }
        self.slots.push(None);
        self.slots.len() - 1
    }

    /// Frees a subscriber's slot. When the last one goes, the memory goes too.
    pub(super) fn remove(&mut self, slot: usize) {
        if let Some(entry) = self.slots.get_mut(slot) {
            if entry.take().is_some() {
                self.waiting -= 1;
            }
            self.free.push(slot);
            if self.free.len() == self.slots.len() {
                self.slots = Vec::new();
                self.free = Vec::new();
            }
        }
    }

    /// Stores the waker to wake at the next change (unless the same one is there).
    pub(super) fn register(&mut self, slot: usize, waker: &Waker) {
        let Some(entry) = self.slots.get_mut(slot) else {
            return;
        };
        match entry {
            Some(old) if old.will_wake(waker) => {}
            Some(old) => old.clone_from(waker),
            None => {
                *entry = Some(waker.clone());
                self.waiting += 1;
            }
        }
    }

    /// How many slots hold a waker.
    pub(super) const fn waiting(&self) -> usize {
        self.waiting
    }

    /// Moves up to a batch of wakers, from slot `*from` on, into `batch`. Returns true
    /// when every slot has been seen.
    pub(super) fn take_batch(&mut self, from: &mut usize, batch: &mut WakeBatch) -> bool {
        while self.waiting > 0 && *from < self.slots.len() {
            if batch.len == BATCH {
                return false;
            }
            if let Some(waker) = self.slots[*from].take() {
                self.waiting -= 1;
                batch.wakers[batch.len] = Some(waker);
                batch.len += 1;
            }
            *from += 1;
        }
        true
    }

    /// Bytes of this structure's heap used per slot (for the memory report).
    pub(super) const SLOT_BYTES: usize = size_of::<Option<Waker>>() + size_of::<usize>();
}

/// Wakers taken out of a lock, to be woken after it is released.
#[derive(Debug)]
pub(super) struct WakeBatch {
    wakers: [Option<Waker>; BATCH],
    len: usize,
}

impl WakeBatch {
    pub(super) const fn new() -> Self {
        Self {
            wakers: [const { None }; BATCH],
            len: 0,
        }
    }

    pub(super) const fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(super) fn wake(&mut self) {
        for waker in &mut self.wakers[..self.len] {
            if let Some(waker) = waker.take() {
                waker.wake();
            }
        }
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    use super::*;

    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn wake_all(waiters: &mut Waiters) {
        let mut from = 0;
        loop {
            let mut batch = WakeBatch::new();
            let done = waiters.take_batch(&mut from, &mut batch);
            batch.wake();
            if done {
                break;
            }
        }
    }

    #[test]
    fn wakes_each_registered_slot_once_across_batches() {
        let mut waiters = Waiters::default();
        let counts: Vec<_> = (0..100)
            .map(|_| Arc::new(Count(AtomicUsize::new(0))))
            .collect();
        let slots: Vec<_> = counts.iter().map(|_| waiters.insert()).collect();
        for (slot, count) in slots.iter().zip(&counts) {
            let waker = Waker::from(count.clone());
            waiters.register(*slot, &waker);
            waiters.register(*slot, &waker); // the same waker twice is kept once
        }
        wake_all(&mut waiters);
        assert!(counts.iter().all(|c| c.0.load(Ordering::SeqCst) == 1));
        wake_all(&mut waiters); // taken: nothing to wake again
        assert!(counts.iter().all(|c| c.0.load(Ordering::SeqCst) == 1));
    }

    #[test]
    fn removed_slots_are_reused_and_not_woken() {
        let mut waiters = Waiters::default();
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let a = waiters.insert();
        waiters.register(a, &Waker::from(count.clone()));
        let b = waiters.insert();
        waiters.remove(a);
        assert_eq!(waiters.waiting, 0);
        assert_eq!(waiters.insert(), a);
        wake_all(&mut waiters);
        assert_eq!(count.0.load(Ordering::SeqCst), 0);
        assert_eq!(waiters.slots.len(), 2);
        waiters.remove(a);
        waiters.remove(b);
        assert_eq!(
            (waiters.slots.capacity(), waiters.free.capacity()),
            (0, 0),
            "all gone: memory released"
        );
    }
}
