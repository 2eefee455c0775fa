//! `sio diff`: two recordings compared step by step (see [`step`] for what a
//! step is and what is left out). Connections are paired in the order they
//! first appear; within a pair the steps are aligned by a Myers edit script
//! (with a deadline, so that two very different recordings still end), and
//! what does not align is named: a step only in B is added, only in A missing,
//! in both but elsewhere reordered, and a step of the same kind at the same
//! place with other contents changed. No IO.

pub mod step;

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use serde_json::Value;
use similar::{Algorithm, DiffOp};

pub use step::{IgnorePath, Options, Step, Stepper};

/// How long the alignment may search before it settles for a longer edit script.
pub const DEADLINE: Duration = Duration::from_secs(10);
/// Differing paths named per changed step.
pub const PATHS_PER_CHANGE: usize = 8;

#[derive(Clone, Debug)]
pub enum Change {
    /// Only in B.
    Added { b: Step },
    /// Only in A.
    Missing { a: Step },
    /// In both, at another place.
    Reordered { a: Step, b: Step },
    /// The same kind of step at the same place, with other contents.
    Changed {
        a: Step,
        b: Step,
        paths: Vec<(String, Option<Value>, Option<Value>)>,
    },
}

impl Change {
    pub fn name(&self) -> &'static str {
        match self {
            Change::Added { .. } => "added",
            Change::Missing { .. } => "missing",
            Change::Reordered { .. } => "reordered",
            Change::Changed { .. } => "changed",
        }
    }
}

#[derive(Debug, Default)]
pub struct Report {
    pub changes: Vec<Change>,
    /// Steps compared on each side.
    pub a_steps: usize,
    pub b_steps: usize,
    /// Connections on each side.
    pub a_conns: usize,
    pub b_conns: usize,
    /// The deadline passed: the edit script may be longer than the shortest.
    pub approximate: bool,
}

impl Report {
    pub fn count(&self, name: &str) -> usize {
        self.changes.iter().filter(|c| c.name() == name).count()
    }

    /// `1 added, 2 missing, …` for the kinds that occur.
    pub fn tally(&self) -> String {
        let parts: Vec<String> = ["added", "missing", "reordered", "changed"]
            .iter()
            .map(|n| (n, self.count(n)))
            .filter(|(_, c)| *c > 0)
            .map(|(n, c)| format!("{c} {n}"))
            .collect();
        parts.join(", ")
    }
}

/// Compares recording A with recording B.
pub fn compare(a: &[crate::record::Record], b: &[crate::record::Record], options: &Options) -> Report {
    compare_steps(&step::steps(a, options), &step::steps(b, options))
}

/// Compares the steps of A with those of B (each a list per connection, from [`Stepper`]).
pub fn compare_steps(a_lists: &[Vec<Step>], b_lists: &[Vec<Step>]) -> Report {
    let deadline = Instant::now() + DEADLINE;
    let mut report = Report {
        a_steps: a_lists.iter().map(Vec::len).sum(),
        b_steps: b_lists.iter().map(Vec::len).sum(),
        a_conns: a_lists.len(),
        b_conns: b_lists.len(),
        ..Report::default()
    };
    let empty = Vec::new();
    let mut placed = Vec::new();
    for i in 0..a_lists.len().max(b_lists.len()) {
        let (x, y) = (a_lists.get(i).unwrap_or(&empty), b_lists.get(i).unwrap_or(&empty));
        // Each direction on its own: what the client sent in order, what the server sent
        // in order. How the two interleave depends on timing, not on what was said.
        for dir in ["out", "in", "-"] {
            let side = |list: &[Step]| list.iter().filter(|s| s.dir == dir).cloned().collect::<Vec<_>>();
            compare_lists(&side(x), &side(y), deadline, &mut report, &mut placed);
        }
    }
    // In the order of A, what B added after the step of A it follows.
    let mut order: Vec<usize> = (0..placed.len()).collect();
    order.sort_by_key(|&i| placed[i]);
    let mut changes: Vec<Option<Change>> = report.changes.drain(..).map(Some).collect();
    report.changes = order.into_iter().filter_map(|i| changes[i].take()).collect();
    report
}

/// Where a change goes in the report: after A's step `seq` (`1`) or at it (`0`).
type Place = (u64, u8);

fn compare_lists(a: &[Step], b: &[Step], deadline: Instant, report: &mut Report, placed: &mut Vec<Place>) {
    let a_keys: Vec<&str> = a.iter().map(|s| s.key.as_str()).collect();
    let b_keys: Vec<&str> = b.iter().map(|s| s.key.as_str()).collect();
    let ops = similar::capture_diff_slices_deadline(Algorithm::Myers, &a_keys, &b_keys, Some(deadline));
    report.approximate |= Instant::now() >= deadline;
    // B's steps of a run go after A's step before the run's end (at A's start: first).
    let after = |end: usize| end.checked_sub(1).map_or((0, 0), |i| (a[i].seq, 1));
    // Each run of steps that did not align: (A's, B's, where B's go).
    let blocks: Vec<(Vec<usize>, Vec<usize>, Place)> = ops
        .iter()
        .filter_map(|op| match *op {
            DiffOp::Equal { .. } => None,
            DiffOp::Delete { old_index, old_len, .. } => {
                Some(((old_index..old_index + old_len).collect(), Vec::new(), (0, 0)))
            }
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => Some((Vec::new(), (new_index..new_index + new_len).collect(), after(old_index))),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => Some((
                (old_index..old_index + old_len).collect(),
                (new_index..new_index + new_len).collect(),
                after(old_index + old_len),
            )),
        })
        .collect();
    // A step that left one place and arrived at another, equal: reordered.
    let mut arrived: HashMap<&str, VecDeque<usize>> = HashMap::new();
    for (_, bs, _) in &blocks {
        for &j in bs {
            arrived.entry(b_keys[j]).or_default().push_back(j);
        }
    }
    let mut moved_a = vec![None; a.len()];
    let mut moved_b = vec![false; b.len()];
    for (az, _, _) in &blocks {
        for &i in az {
            if let Some(j) = arrived.get_mut(a_keys[i]).and_then(VecDeque::pop_front) {
                moved_a[i] = Some(j);
                moved_b[j] = true;
            }
        }
    }
    for (az, bs, after) in &blocks {
        let mut left: Vec<usize> = bs.iter().copied().filter(|&j| !moved_b[j]).collect();
        for &i in az {
            if let Some(j) = moved_a[i] {
                report.changes.push(Change::Reordered {
                    a: a[i].clone(),
                    b: b[j].clone(),
                });
                placed.push((a[i].seq, 0));
                continue;
            }
            // The first step of B's run that is the same kind of step: changed.
            match left.iter().position(|&j| b[j].identity == a[i].identity) {
                Some(at) => {
                    let j = left.remove(at);
                    report.changes.push(Change::Changed {
                        a: a[i].clone(),
                        b: b[j].clone(),
                        paths: step::differences(&a[i].value(), &b[j].value(), PATHS_PER_CHANGE),
                    });
                }
                None => report.changes.push(Change::Missing { a: a[i].clone() }),
            }
            placed.push((a[i].seq, 0));
        }
        for j in left {
            report.changes.push(Change::Added { b: b[j].clone() });
            placed.push(*after);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::eio::{EioVersion, Frame};
    use crate::proto::frame::{FrameDecoder, Parser};
    use crate::record::{Body, Direction, FrameRecord, Raw, Record, Timestamp, Transport};

    fn recording(frames: &[(Direction, impl AsRef<str>)]) -> Vec<Record> {
        let mut decoder = FrameDecoder::new(EioVersion::V4, Parser::Default);
        frames
            .iter()
            .enumerate()
            .map(|(i, (dir, text))| (i, dir, text.as_ref()))
            .map(|(i, dir, text)| Record {
                seq: i as u64,
                time: Timestamp { micros: i as u64 },
                conn: None,
                body: Body::Frame(FrameRecord {
                    dir: Some(*dir),
                    transport: Some(Transport::Websocket),
                    raw: Raw::Text { text: text.to_string() },
                    decoded: decoder.decode(Frame::Text(text)),
                }),
            })
            .collect()
    }

    use Direction::{In, Out};

    #[test]
    fn what_differs_by_nature_is_equal() {
        // One session as two runs see it: other sids, socket ids, pids, offsets and ack ids.
        let run = |sid: &str, socket: &str, pid: &str, offset: &str, ack: &str| {
            let texts = [
                format!(r#"0{{"sid":"{sid}","upgrades":[],"pingInterval":25000,"pingTimeout":20000}}"#),
                "40".to_string(),
                format!(r#"40{{"sid":"{socket}","pid":"{pid}"}}"#),
                format!(r#"42["welcome","hi","{offset}"]"#),
                format!(r#"42{ack}["echo",1]"#),
                format!(r#"43{ack}[1]"#),
            ];
            let dirs = [In, Out, In, In, Out, In];
            dirs.into_iter().zip(texts).collect::<Vec<_>>()
        };
        let mut a_frames = run("AAA", "s1", "p1", "offset-1", "7");
        a_frames.push((In, "2".to_string()));
        let a = recording(&a_frames);
        let b = recording(&run("BBB", "s2", "p2", "offset-9", "12"));
        let report = compare(&a, &b, &Options::default());
        assert!(report.changes.is_empty(), "{:#?}", report.changes);
        assert_eq!((report.a_steps, report.b_steps), (5, 5));
        // The Engine.IO layer, when asked: a ping more in A.
        let report = compare(
            &a,
            &b,
            &Options {
                eio: true,
                ..Options::default()
            },
        );
        assert_eq!(report.tally(), "1 missing", "{:#?}", report.changes);
    }

    #[test]
    fn added_missing_reordered_and_changed_are_named() {
        let a = recording(&[
            (Out, r#"42["a"]"#),
            (Out, r#"42["b"]"#),
            (Out, r#"42["c",{"n":1}]"#),
            (Out, r#"42["gone"]"#),
        ]);
        let b = recording(&[
            (Out, r#"42["b"]"#),
            (Out, r#"42["a"]"#),
            (Out, r#"42["c",{"n":2}]"#),
            (Out, r#"42["new"]"#),
        ]);
        let report = compare(&a, &b, &Options::default());
        let names: Vec<&str> = report.changes.iter().map(Change::name).collect();
        assert_eq!(
            names,
            ["reordered", "changed", "missing", "added"],
            "{:#?}",
            report.changes
        );
        let Change::Changed { paths, .. } = &report.changes[1] else {
            unreachable!()
        };
        assert_eq!(paths[0].0, "data.1.n");
        // Ignoring the path makes that step equal.
        let options = Options {
            ignore: vec!["data.1.n".parse().expect("path")],
            ..Options::default()
        };
        assert_eq!(compare(&a, &b, &options).tally(), "1 added, 1 missing, 1 reordered");
    }
}
