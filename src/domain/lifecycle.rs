//! The lifecycle: ordered → in stock → deployed → (repair) → retired → disposed, plus lost/found.
//! Every status change anywhere in itam goes through [`transition`], so the rules live here once.

use super::text_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Ordered,
    InStock,
    Deployed,
    InRepair,
    Lost,
    Retired,
    Disposed,
}

text_enum!(Status, "status", {
    Ordered => "ordered",
    InStock => "in_stock",
    Deployed => "deployed",
    InRepair => "in_repair",
    Lost => "lost",
    Retired => "retired",
    Disposed => "disposed",
});

impl Status {
    /// Statuses in which an asset is still expected to exist somewhere physical and be seen.
    pub fn is_active(self) -> bool {
        matches!(self, Status::InStock | Status::Deployed | Status::InRepair)
    }
}

/// Everything that can happen to an asset. `Modify` covers moves, condition grades and edits:
/// they leave the status alone but are still refused once an asset is disposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Receive,
    CheckOut,
    CheckIn,
    SendToRepair,
    ReturnFromRepair,
    MarkLost,
    Found,
    Retire,
    Dispose,
    Modify,
}

text_enum!(Action, "action", {
    Receive => "receive",
    CheckOut => "check_out",
    CheckIn => "check_in",
    SendToRepair => "repair",
    ReturnFromRepair => "return_from_repair",
    MarkLost => "mark_lost",
    Found => "found",
    Retire => "retire",
    Dispose => "dispose",
    Modify => "modify",
});

impl Action {
    /// Words for messages: "cannot check out: ...".
    pub fn verb(self) -> &'static str {
        match self {
            Action::Receive => "receive",
            Action::CheckOut => "check out",
            Action::CheckIn => "check in",
            Action::SendToRepair => "send to repair",
            Action::ReturnFromRepair => "return from repair",
            Action::MarkLost => "mark lost",
            Action::Found => "mark found",
            Action::Retire => "retire",
            Action::Dispose => "dispose",
            Action::Modify => "change",
        }
    }

    /// The statuses this action may start from, for the message when it is refused.
    fn allowed_from(self) -> &'static str {
        match self {
            Action::Receive => "only from ordered",
            Action::CheckOut => "only from in_stock",
            Action::CheckIn => "only from deployed",
            Action::SendToRepair => "only from in_stock or deployed",
            Action::ReturnFromRepair => "only from in_repair",
            Action::MarkLost => "from any status but lost or disposed",
            Action::Found => "only from lost",
            Action::Retire => "only from in_stock, in_repair or lost",
            Action::Dispose => "only from retired",
            Action::Modify => "from any status but disposed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("cannot {}: the asset is disposed, and a disposed asset never changes again", .action.verb())]
    Terminal { action: Action },
    #[error("cannot {}: the asset is {from} ({} is allowed {})", .action.verb(), .action.verb(), .action.allowed_from())]
    NotAllowed { from: Status, action: Action },
    #[error("cannot set status to {target}: {hint}")]
    NoRoute { target: Status, hint: &'static str },
}

/// The status after `action`, or why the action is refused from `from`.
pub fn transition(from: Status, action: Action) -> Result<Status, TransitionError> {
    use Action as A;
    use Status as S;
    if from == S::Disposed {
        return Err(TransitionError::Terminal { action });
    }
    let to = match (from, action) {
        (S::Ordered, A::Receive) => S::InStock,
        (S::InStock, A::CheckOut) => S::Deployed,
        (S::Deployed, A::CheckIn) => S::InStock,
        (S::InStock | S::Deployed, A::SendToRepair) => S::InRepair,
        (S::InRepair, A::ReturnFromRepair) => S::InStock,
        (s, A::MarkLost) if s != S::Lost => S::Lost,
        (S::Lost, A::Found) => S::InStock,
        (S::InStock | S::InRepair | S::Lost, A::Retire) => S::Retired,
        (S::Retired, A::Dispose) => S::Disposed,
        (s, A::Modify) => s,
        _ => return Err(TransitionError::NotAllowed { from, action }),
    };
    Ok(to)
}

/// The action that takes an asset from `from` to `target`, for `itam status CODE STATUS`.
pub fn action_to_reach(from: Status, target: Status) -> Result<Action, TransitionError> {
    use Action as A;
    use Status as S;
    if from == S::Disposed {
        return Err(TransitionError::Terminal { action: A::Modify });
    }
    let action = match target {
        S::InRepair => A::SendToRepair,
        S::Lost => A::MarkLost,
        S::Retired => A::Retire,
        S::InStock => match from {
            S::Ordered => A::Receive,
            S::Deployed => A::CheckIn,
            S::InRepair => A::ReturnFromRepair,
            S::Lost => A::Found,
            // Nothing to do from in_stock; anything else has no way back to stock.
            _ => {
                return Err(TransitionError::NoRoute {
                    target,
                    hint: if from == S::InStock {
                        "the asset is already in_stock"
                    } else {
                        "a retired asset does not return to stock"
                    },
                })
            }
        },
        S::Deployed => {
            return Err(TransitionError::NoRoute {
                target,
                hint: "use `itam checkout CODE --to USERNAME`, which records who has it",
            })
        }
        S::Disposed => {
            return Err(TransitionError::NoRoute {
                target,
                hint: "use `itam dispose CODE --method M`, which records how it left",
            })
        }
        S::Ordered => {
            return Err(TransitionError::NoRoute {
                target,
                hint: "an asset never goes back to ordered",
            })
        }
    };
    // Check the route is open now, so the caller gets the precise reason.
    transition(from, action)?;
    Ok(action)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use Status as S;

    /// The whole table, written out by hand from the issue; every pair not listed is refused.
    const ALLOWED: &[(Status, Action, Status)] = &[
        (S::Ordered, A::Receive, S::InStock),
        (S::Ordered, A::MarkLost, S::Lost),
        (S::Ordered, A::Modify, S::Ordered),
        (S::InStock, A::CheckOut, S::Deployed),
        (S::InStock, A::SendToRepair, S::InRepair),
        (S::InStock, A::MarkLost, S::Lost),
        (S::InStock, A::Retire, S::Retired),
        (S::InStock, A::Modify, S::InStock),
        (S::Deployed, A::CheckIn, S::InStock),
        (S::Deployed, A::SendToRepair, S::InRepair),
        (S::Deployed, A::MarkLost, S::Lost),
        (S::Deployed, A::Modify, S::Deployed),
        (S::InRepair, A::ReturnFromRepair, S::InStock),
        (S::InRepair, A::MarkLost, S::Lost),
        (S::InRepair, A::Retire, S::Retired),
        (S::InRepair, A::Modify, S::InRepair),
        (S::Lost, A::Found, S::InStock),
        (S::Lost, A::Retire, S::Retired),
        (S::Lost, A::Modify, S::Lost),
        (S::Retired, A::Dispose, S::Disposed),
        (S::Retired, A::MarkLost, S::Lost),
        (S::Retired, A::Modify, S::Retired),
    ];

    #[test]
    fn every_status_action_pair_follows_the_table() {
        let mut checked = 0;
        for &from in Status::ALL {
            for &action in Action::ALL {
                let expected = ALLOWED
                    .iter()
                    .find(|(f, a, _)| *f == from && *a == action)
                    .map(|(_, _, to)| *to);
                let got = transition(from, action);
                match expected {
                    Some(to) => assert_eq!(got, Ok(to), "{from} + {action}"),
                    None => assert!(got.is_err(), "{from} + {action} should be refused"),
                }
                checked += 1;
            }
        }
        assert_eq!(checked, Status::ALL.len() * Action::ALL.len());
    }

    #[test]
    fn disposed_is_terminal_and_says_so() {
        for &action in Action::ALL {
            let err = transition(S::Disposed, action).unwrap_err();
            assert_eq!(err, TransitionError::Terminal { action });
            assert!(err.to_string().contains("disposed"));
        }
    }

    #[test]
    fn refusal_explains_what_is_allowed() {
        let err = transition(S::Deployed, A::CheckOut).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot check out: the asset is deployed (check out is allowed only from in_stock)"
        );
    }

    #[test]
    fn status_targets_map_to_actions() {
        assert_eq!(action_to_reach(S::Deployed, S::InStock), Ok(A::CheckIn));
        assert_eq!(action_to_reach(S::Ordered, S::InStock), Ok(A::Receive));
        assert_eq!(
            action_to_reach(S::InRepair, S::InStock),
            Ok(A::ReturnFromRepair)
        );
        assert_eq!(action_to_reach(S::Lost, S::InStock), Ok(A::Found));
        assert_eq!(
            action_to_reach(S::InStock, S::InRepair),
            Ok(A::SendToRepair)
        );
        assert_eq!(action_to_reach(S::InRepair, S::Retired), Ok(A::Retire));
        assert!(action_to_reach(S::Deployed, S::Retired).is_err());
        assert!(action_to_reach(S::InStock, S::Deployed)
            .unwrap_err()
            .to_string()
            .contains("itam checkout"));
        assert!(action_to_reach(S::Retired, S::Disposed).is_err());
        assert!(action_to_reach(S::Disposed, S::InStock).is_err());
        assert!(action_to_reach(S::InStock, S::InStock).is_err());
    }

    #[test]
    fn only_three_statuses_are_active() {
        let active: Vec<_> = Status::ALL.iter().filter(|s| s.is_active()).collect();
        assert_eq!(active, vec![&S::InStock, &S::Deployed, &S::InRepair]);
    }
}
