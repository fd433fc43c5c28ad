//! Property tests: the engine agrees with the naive reference evaluator on random policies
//! and requests drawn from small alphabets (so that things match often), a Deny never
//! produces an Allow, and an Allow never produces a deny.

use proptest::prelude::*;
use proptest::sample::select;

use super::reference::{Cond, Pol, Req, Stmt, Verdict, Who, decide, render};
use crate::policy::{Decision, Policy, PolicyKind, RequestContext, evaluate, parse};

/// Users, a root, and role sessions (which have no `aws:username`, so `${aws:username}` has no
/// value for them).
const PRINCIPALS: [&str; 6] = [
    "arn:aws:iam::111111111111:user/alice",
    "arn:aws:iam::111111111111:user/bob",
    "arn:aws:iam::111111111111:root",
    "arn:aws:iam::222222222222:user/carol",
    "arn:aws:sts::111111111111:assumed-role/app/s1",
    "arn:aws:sts::222222222222:assumed-role/app/s2",
];
const ACTIONS: [&str; 4] = ["sm:Get", "sm:Put", "sm:Got", "SM:get"];
const RESOURCES: [&str; 4] = [
    "arn:p:sm:r:111111111111:secret:a/b",
    "arn:p:sm:r:111111111111:secret:alice",
    "arn:p:sm:r:222222222222:secret:a/c",
    "*",
];
const ACTION_PATTERNS: [&str; 6] = ["sm:Get", "sm:*", "*", "sm:G?t", "SM:get", "sm:Put"];
const RESOURCE_PATTERNS: [&str; 7] = [
    "*",
    "arn:p:sm:r:111111111111:secret:a/*",
    "arn:p:sm:r:*:secret:a?b",
    "arn:p:sm:r:111111111111:secret:${aws:username}",
    "arn:p:sm:*",
    "arn:p:sm:r:222222222222:secret:a/c",
    "arn:p:sm:r:*:secret:a/b",
];
const PRINCIPAL_PATTERNS: [&str; 7] = [
    "arn:aws:iam::111111111111:user/alice",
    "arn:aws:iam::111111111111:role/app",
    "111111111111",
    "arn:aws:iam::222222222222:root",
    "arn:aws:iam::111111111111:user/bob",
    "arn:aws:iam::222222222222:user/carol",
    "*",
];
const CONDITION_KEYS: [&str; 5] = ["k:a", "K:A", "k:b", "aws:username", "aws:PrincipalArn"];
const CONTEXT_VALUES: [&str; 7] = ["x", "y", "X", "1", "2", "true", "xx"];
const STRING_VALUES: [&str; 9] = [
    "x",
    "y",
    "X",
    "x*",
    "?",
    "alice",
    "${aws:username}",
    "arn:aws:iam::111111111111:role/app",
    "arn:aws:*:user/${aws:username}",
];
const STRING_OPS: [&str; 5] = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
];

fn some_of<T: Clone + std::fmt::Debug + 'static>(
    items: &'static [T],
    max: usize,
) -> impl Strategy<Value = Vec<T>> {
    prop::collection::vec(select(items), 1..=max)
}

fn condition() -> impl Strategy<Value = Cond> {
    let string = (select(&STRING_OPS[..]), some_of(&STRING_VALUES, 2));
    let numeric = (
        select(&["NumericEquals", "NumericLessThan"][..]),
        some_of(&["1", "2"], 2),
    );
    let boolean = (Just("Bool"), some_of(&["true", "false"], 1));
    let (op_values, qualifier, if_exists, key) = (
        prop_oneof![4 => string, 1 => numeric, 1 => boolean],
        select(&["", "ForAnyValue:", "ForAllValues:"][..]),
        any::<bool>(),
        select(&CONDITION_KEYS[..]),
    );
    let regular = (op_values, qualifier, if_exists, key).prop_map(
        |((op, values), qualifier, if_exists, key)| Cond {
            qualifier,
            op,
            if_exists,
            key,
            values,
        },
    );
    let null =
        (some_of(&["true", "false"], 1), select(&CONDITION_KEYS[..])).prop_map(|(values, key)| {
            Cond {
                qualifier: "",
                op: "Null",
                if_exists: false,
                key,
                values,
            }
        });
    prop_oneof![5 => regular, 1 => null]
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        1 => Just(Who::Everyone),
        4 => some_of(&PRINCIPAL_PATTERNS, 2).prop_map(Who::Aws),
    ]
}

fn statement(resource_policy: bool, allow: Option<bool>) -> impl Strategy<Value = Stmt> {
    let effect = match allow {
        Some(a) => Just(a).boxed(),
        None => any::<bool>().boxed(),
    };
    let principal = if resource_policy {
        prop::option::weighted(0.9, (prop::bool::weighted(0.2), who())).boxed()
    } else {
        Just(None).boxed()
    };
    (
        effect,
        principal,
        prop::bool::weighted(0.2),
        some_of(&ACTION_PATTERNS, 2),
        prop::bool::weighted(0.2),
        some_of(&RESOURCE_PATTERNS, 2),
        prop::collection::vec(condition(), 0..3),
    )
        .prop_map(
            |(allow, principal, not_action, actions, not_resource, resources, conditions)| {
                // One JSON object cannot hold the same operator and key twice.
                let mut unique: Vec<Cond> = Vec::new();
                for c in conditions {
                    if !unique
                        .iter()
                        .any(|u| u.operator_name_is(&c) && u.key == c.key)
                    {
                        unique.push(c);
                    }
                }
                Stmt {
                    allow,
                    principal,
                    not_action,
                    actions,
                    not_resource,
                    resources,
                    conditions: unique,
                }
            },
        )
}

impl Cond {
    fn operator_name_is(&self, other: &Cond) -> bool {
        (self.qualifier, self.op, self.if_exists) == (other.qualifier, other.op, other.if_exists)
    }
}

fn policy_model(resource_policy: bool) -> impl Strategy<Value = Pol> {
    prop::collection::vec(statement(resource_policy, None), 1..4).prop_map(move |statements| Pol {
        resource_policy,
        statements,
    })
}

fn policies() -> impl Strategy<Value = Vec<Pol>> {
    (
        prop::collection::vec(policy_model(false), 0..3),
        prop::option::of(policy_model(true)),
    )
        .prop_map(|(mut identity, resource)| {
            identity.extend(resource);
            identity
        })
}

fn request() -> impl Strategy<Value = Req> {
    let key_values = prop::option::of(prop::collection::vec(select(&CONTEXT_VALUES[..]), 0..3));
    (
        select(&PRINCIPALS[..]),
        select(&ACTIONS[..]),
        select(&RESOURCES[..]),
        key_values.clone(),
        key_values,
    )
        .prop_map(|(principal, action, resource, a, b)| {
            let keys = [("k:a", a), ("k:b", b)]
                .into_iter()
                .filter_map(|(k, v)| Some((k, v?)))
                .collect();
            Req {
                principal,
                action,
                resource,
                keys,
            }
        })
}

fn engine(policies: &[Pol], req: &Req) -> Decision {
    let parsed: Vec<Policy> = policies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let text = render(p);
            let document = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            let kind = if p.resource_policy {
                PolicyKind::Resource
            } else {
                PolicyKind::User
            };
            Policy {
                id: format!("p{i}"),
                kind,
                document: std::sync::Arc::new(document),
            }
        })
        .collect();
    let mut ctx = RequestContext::new(req.principal, req.action, req.resource);
    for (key, values) in &req.keys {
        ctx.set_key(key, values.iter().copied());
    }
    evaluate(&parsed, &ctx).decision
}

fn verdict(d: Decision) -> Verdict {
    match d {
        Decision::Allow => Verdict::Allow,
        Decision::ExplicitDeny => Verdict::ExplicitDeny,
        Decision::ImplicitDeny => Verdict::ImplicitDeny,
    }
}

/// Adds a statement to the policy `at` (modulo the count), or as a new policy of the
/// statement's side when there is none.
fn with_statement(mut policies: Vec<Pol>, at: usize, extra: Stmt, resource: bool) -> Vec<Pol> {
    let candidates: Vec<usize> = (0..policies.len())
        .filter(|i| policies[*i].resource_policy == resource)
        .collect();
    match candidates.get(at % candidates.len().max(1)) {
        Some(i) => policies[*i].statements.push(extra),
        None => policies.push(Pol {
            resource_policy: resource,
            statements: vec![extra],
        }),
    }
    policies
}

fn extra(allow: bool) -> impl Strategy<Value = (bool, Stmt)> {
    any::<bool>().prop_flat_map(move |resource| {
        statement(resource, Some(allow)).prop_map(move |s| (resource, s))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn the_engine_agrees_with_the_reference_evaluator(policies in policies(), req in request()) {
        prop_assert_eq!(verdict(engine(&policies, &req)), decide(&policies, &req));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn adding_a_deny_never_turns_a_decision_into_allow(
        policies in policies(),
        req in request(),
        at in 0..4usize,
        (resource, deny) in extra(false),
    ) {
        let before = engine(&policies, &req);
        let after = engine(&with_statement(policies, at, deny, resource), &req);
        prop_assert!(after != Decision::Allow || before == Decision::Allow);
        prop_assert!(before != Decision::ExplicitDeny || after == Decision::ExplicitDeny);
    }

    #[test]
    fn adding_an_allow_never_turns_a_decision_into_a_deny(
        policies in policies(),
        req in request(),
        at in 0..4usize,
        (resource, allow) in extra(true),
    ) {
        let before = engine(&policies, &req);
        let after = engine(&with_statement(policies, at, allow, resource), &req);
        prop_assert!(before != Decision::Allow || after == Decision::Allow);
        prop_assert!(before != Decision::ExplicitDeny || after == Decision::ExplicitDeny);
        prop_assert!(after != Decision::ExplicitDeny || before == Decision::ExplicitDeny);
    }
}
