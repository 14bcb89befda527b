//! Resume: from the client's `Last-Event-ID` and what the history holds, where a new
//! subscription starts ([`plan`]), and how it is reported ([`Start`], [`ResetReason`]).

use crate::EventId;

/// How a subscription began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Start {
    /// No `Last-Event-ID`: live events only, after an `id:`-only frame naming the
    /// position (unless turned off with
    /// [`HubBuilder::announce_position`](crate::HubBuilder::announce_position)).
    Live,
    /// Resumed exactly after the client's `Last-Event-ID`: `replay` missed events first.
    Resumed {
        /// How many events were published after the id and are replayed.
        replay: usize,
    },
    /// The `Last-Event-ID` could not be resumed from: the stream starts with a `reset`
    /// event, then `replay` events the history still holds, then live events.
    Reset {
        /// Why.
        reason: ResetReason,
        /// How many events the history still held and are replayed after the `reset`.
        replay: usize,
    },
    /// The `Last-Event-ID` is older than the history, and the backplane keeps a longer
    /// store of its own (see [`Backplane::replay`](crate::Backplane::replay)): the
    /// events the history lacks are being read from it. Once they are, the stream yields
    /// them, then the `replay` events the history holds, then live events, and
    /// [`Subscription::start`](crate::Subscription::start) says
    /// [`Resumed`](Self::Resumed) (counting both); when the store cannot give them all,
    /// it says [`Reset`](Self::Reset) with [`ResetReason::Expired`] and the stream starts
    /// as after any `reset`.
    Fetching {
        /// How many events the history holds after the fetched ones and are replayed.
        replay: usize,
    },
    /// The hub was shut down: the stream is already ended.
    Closed,
}

/// Why a `Last-Event-ID` could not be resumed from. Its [`as_str`](Self::as_str) is the
/// `reset` event's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResetReason {
    /// `unknown`: not an id this hub issued: malformed, from another process (an
    /// earlier run, another server) or after the newest event published.
    Unknown,
    /// `expired`: issued here, but some events after it in the subscribed topics are no
    /// longer in the history.
    Expired,
}

impl ResetReason {
    /// `unknown` or `expired`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Expired => "expired",
        }
    }
}

/// What the client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asked {
    /// No `Last-Event-ID`.
    Nothing,
    /// A `Last-Event-ID` that the backplane did not issue.
    Foreign,
    /// The events after this id.
    After(EventId),
}

/// What the history holds, seen from the subscribed topics.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Held {
    /// The newest id issued (or the backplane's origin when none was).
    pub(crate) newest: Option<EventId>,
    /// The backplane's origin: the position before every event.
    pub(crate) origin: Option<EventId>,
    /// The newest id that may have left a subscribed topic's history: every topic is
    /// complete after it.
    pub(crate) floor: Option<EventId>,
}

/// Where each topic's cursor starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StartAt {
    /// At the next event published.
    Tail,
    /// At the oldest event held.
    Oldest,
    /// At the first event after this id.
    After(EventId),
}

/// Where a new subscription starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Live events, after a frame naming `position` (if there is one).
    Live { position: Option<EventId> },
    /// Exactly after the client's id.
    Resume { after: EventId },
    /// A `reset` event (with the id `id`, if any), then the events from `start_at`.
    Reset {
        reason: ResetReason,
        id: Option<EventId>,
        start_at: StartAt,
    },
}

impl Plan {
    /// Where the cursors start.
    pub(crate) const fn start_at(&self) -> StartAt {
        match *self {
            Self::Live { .. } => StartAt::Tail,
            Self::Resume { after } => StartAt::After(after),
            Self::Reset { start_at, .. } => start_at,
        }
    }
}

/// The ids between which the backplane's store may give what `plan` would answer with
/// `reset expired` (replaying from its id): `after` the client's id, `through` the
/// reset's id, from which the history replays. `None` for every other plan.
pub(crate) fn fetchable(asked: Asked, plan: Plan) -> Option<(EventId, EventId)> {
    match (asked, plan) {
        (
            Asked::After(after),
            Plan::Reset {
                reason: ResetReason::Expired,
                id: Some(through),
                start_at: StartAt::After(from),
            },
        ) if from == through && after < through => Some((after, through)),
        _ => None,
    }
}

/// Decides where a subscription starts. With `replay_on_reset`, a reset replays from the
/// floor: the newest point from which every subscribed topic is complete, which is also
/// the reset's id, so that a client that reconnects with it resumes exactly.
pub(crate) fn plan(asked: Asked, held: Held, replay_on_reset: bool) -> Plan {
    let reason = match asked {
        Asked::Nothing => {
            return Plan::Live {
                position: held.newest,
            };
        }
        Asked::Foreign => ResetReason::Unknown,
        Asked::After(id) if held.newest.is_none_or(|newest| id > newest) => ResetReason::Unknown,
        Asked::After(id) if held.floor.is_none_or(|floor| floor <= id) => {
            return Plan::Resume { after: id };
        }
        Asked::After(_) => ResetReason::Expired,
    };
    match (replay_on_reset, held.floor) {
        (true, Some(floor)) => Plan::Reset {
            reason,
            id: Some(floor),
            start_at: StartAt::After(floor),
        },
        (true, None) => Plan::Reset {
            reason,
            id: held.origin,
            start_at: StartAt::Oldest,
        },
        (false, _) => Plan::Reset {
            reason,
            id: held.newest,
            start_at: StartAt::Tail,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u64) -> EventId {
        EventId::new([0, n], &n.to_string()).unwrap()
    }

    fn held(newest: u64, floor: Option<EventId>) -> Held {
        Held {
            newest: Some(id(newest)),
            origin: Some(id(0)),
            floor,
        }
    }

    #[test]
    fn no_id_is_live_from_the_newest() {
        assert_eq!(
            plan(Asked::Nothing, held(5, None), true),
            Plan::Live {
                position: Some(id(5))
            }
        );
    }

    #[test]
    fn an_id_with_everything_after_it_held_resumes() {
        for after in [2, 3, 5] {
            assert_eq!(
                plan(Asked::After(id(after)), held(5, Some(id(2))), true),
                Plan::Resume { after: id(after) }
            );
        }
        // The origin resumes a topic that never lost anything.
        assert_eq!(
            plan(Asked::After(id(0)), held(5, None), false),
            Plan::Resume { after: id(0) }
        );
    }

    #[test]
    fn a_foreign_or_future_id_is_unknown_and_an_old_one_expired() {
        let replay = |asked| plan(asked, held(5, Some(id(2))), true);
        let reset = |reason| Plan::Reset {
            reason,
            id: Some(id(2)),
            start_at: StartAt::After(id(2)),
        };
        assert_eq!(replay(Asked::Foreign), reset(ResetReason::Unknown));
        assert_eq!(replay(Asked::After(id(6))), reset(ResetReason::Unknown));
        assert_eq!(replay(Asked::After(id(1))), reset(ResetReason::Expired));
    }

    #[test]
    fn only_an_expired_id_replaying_from_the_floor_is_fetchable() {
        let floor = held(5, Some(id(3)));
        let expired = plan(Asked::After(id(1)), floor, true);
        assert_eq!(
            fetchable(Asked::After(id(1)), expired),
            Some((id(1), id(3)))
        );
        // Without replay on reset, the stream goes live: nothing to fill in.
        let live = plan(Asked::After(id(1)), floor, false);
        assert_eq!(fetchable(Asked::After(id(1)), live), None);
        for asked in [Asked::Foreign, Asked::After(id(6)), Asked::After(id(4))] {
            assert_eq!(fetchable(asked, plan(asked, floor, true)), None);
        }
    }

    #[test]
    fn a_reset_replays_everything_held_from_the_origin_or_goes_live() {
        let nothing = Held {
            newest: None,
            origin: None,
            floor: None,
        };
        assert_eq!(
            plan(Asked::After(id(1)), nothing, true),
            Plan::Reset {
                reason: ResetReason::Unknown,
                id: None,
                start_at: StartAt::Oldest
            }
        );
        assert_eq!(
            plan(Asked::Foreign, held(5, None), true),
            Plan::Reset {
                reason: ResetReason::Unknown,
                id: Some(id(0)),
                start_at: StartAt::Oldest
            }
        );
        assert_eq!(
            plan(Asked::After(id(1)), held(5, Some(id(3))), false),
            Plan::Reset {
                reason: ResetReason::Expired,
                id: Some(id(5)),
                start_at: StartAt::Tail
            }
        );
        assert_eq!(
            plan(Asked::Foreign, held(5, None), false).start_at(),
            StartAt::Tail
        );
    }
}
