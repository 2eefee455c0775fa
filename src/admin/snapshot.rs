//! The model printed once (`sio admin --snapshot`): servers, namespaces, sockets and rooms,
//! for people (aligned columns) or as one JSON object.

use serde_json::{Value, json};

use super::event::human_uptime;
use super::model::AdminModel;
use crate::output::sanitize;

fn sanitize(s: &str) -> String {
    sanitize::sanitize(s).into_owned()
}
use crate::record::Timestamp;

pub fn to_json(model: &AdminModel, now: Timestamp) -> Value {
    let servers: Vec<Value> = model
        .servers()
        .map(|s| {
            json!({
                "id": s.stats.server_id,
                "hostname": s.stats.hostname,
                "pid": s.stats.pid,
                "uptime": s.stats.uptime,
                "clients": s.stats.clients,
                "polling_clients": s.stats.polling_clients,
                "namespaces": s.stats.namespaces.iter().map(|(n, c)| json!({"name": n, "sockets": c})).collect::<Vec<_>>(),
                "stale": s.stale(now),
            })
        })
        .collect();
    let namespaces: Vec<Value> = model
        .namespace_counts()
        .into_iter()
        .map(|(n, c)| json!({"name": n, "sockets": c}))
        .collect();
    let own = model.own.as_ref();
    let sockets: Vec<Value> = model
        .sockets()
        .map(|s| {
            let mut v = s.info.to_value();
            if let Some(o) = v.as_object_mut() {
                o.insert("connectedAt".into(), json!(s.connected_at));
                if own == Some(&(s.info.nsp.clone(), s.info.id.clone())) {
                    o.insert("self".into(), true.into());
                }
            }
            v
        })
        .collect();
    let rooms: Vec<Value> = model
        .rooms(false)
        .map(|(nsp, room, members)| json!({"nsp": nsp, "name": room, "sockets": members}))
        .collect();
    json!({
        "mode": mode(model),
        "features": model.features,
        "servers": servers,
        "namespaces": namespaces,
        "sockets_listed": model.sockets_listed,
        "sockets": sockets,
        "sockets_not_listed": model.sockets_not_listed,
        "rooms": rooms,
    })
}

fn mode(model: &AdminModel) -> &'static str {
    match &model.features {
        None => "unknown",
        Some(_) if model.development() => "development",
        Some(_) => "production",
    }
}

/// Rows in aligned columns, two spaces apart; the last column is not padded.
fn table(out: &mut String, rows: &[Vec<String>]) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::from("  ");
        for (c, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < row.len() {
                let pad = widths[c].saturating_sub(cell.chars().count()) + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

pub fn to_text(model: &AdminModel, now: Timestamp) -> String {
    let mut out = String::new();
    let features = model
        .features
        .as_ref()
        .map_or("(no config received)".to_string(), |f| f.join(", "));
    out.push_str(&format!("mode {}; supported features: {}\n", mode(model), features));

    let servers: Vec<_> = model.servers().collect();
    out.push_str(&format!("servers ({})\n", servers.len()));
    let mut rows = vec![vec![
        "ID".to_string(),
        "HOSTNAME".into(),
        "PID".into(),
        "UPTIME".into(),
        "CLIENTS".into(),
        "POLLING".into(),
        "NAMESPACES".into(),
    ]];
    for s in &servers {
        let st = &s.stats;
        rows.push(vec![
            format!(
                "{}{}",
                sanitize(&st.server_id),
                if s.stale(now) { " (stale)" } else { "" }
            ),
            sanitize(&st.hostname),
            st.pid.to_string(),
            human_uptime(st.uptime),
            st.clients.to_string(),
            st.polling_clients.to_string(),
            st.namespaces
                .iter()
                .map(|(n, c)| format!("{} {c}", sanitize(n)))
                .collect::<Vec<_>>()
                .join(", "),
        ]);
    }
    if servers.is_empty() {
        out.push_str("  (no server_stats received)\n");
    } else {
        table(&mut out, &rows);
    }

    if !model.knows_sockets() {
        out.push_str(
            "sockets: not listed (the server sends its sockets in development mode only; see the counts above)\n",
        );
    } else {
        out.push_str(&format!("sockets ({})\n", model.socket_count()));
        let mut rows = vec![vec![
            "NAMESPACE".to_string(),
            "ID".into(),
            "CLIENT".into(),
            "TRANSPORT".into(),
            "ADDRESS".into(),
            "ROOMS".into(),
            "USER-AGENT".into(),
        ]];
        let own = model.own.as_ref();
        for s in model.sockets() {
            let i = &s.info;
            let mine = own == Some(&(i.nsp.clone(), i.id.clone()));
            let rooms: Vec<&str> = i.rooms.iter().filter(|r| **r != i.id).map(String::as_str).collect();
            rows.push(vec![
                sanitize(&i.nsp),
                format!("{}{}", sanitize(&i.id), if mine { " (sio)" } else { "" }),
                sanitize(&i.client_id),
                sanitize(&i.transport),
                sanitize(&i.address),
                sanitize(&rooms.join(" ")),
                sanitize(&i.user_agent),
            ]);
        }
        table(&mut out, &rows);
        if model.sockets_not_listed > 0 {
            out.push_str(&format!(
                "  … and {} more not listed (the limit is {})\n",
                model.sockets_not_listed, model.limits.sockets
            ));
        }
        let rooms: Vec<_> = model.rooms(false).collect();
        out.push_str(&format!("rooms ({})\n", rooms.len()));
        let mut rows = vec![vec!["NAMESPACE".to_string(), "ROOM".into(), "MEMBERS".into()]];
        let none = rooms.is_empty();
        for (nsp, room, members) in rooms {
            rows.push(vec![
                sanitize(nsp),
                sanitize(room),
                format!(
                    "{}: {}",
                    members.len(),
                    sanitize(&members.iter().map(String::as_str).collect::<Vec<_>>().join(" "))
                ),
            ]);
        }
        if none {
            out.push_str("  (none besides each socket's own)\n");
        } else {
            table(&mut out, &rows);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::event::AdminEvent;

    #[test]
    fn prints_servers_sockets_and_rooms() {
        let mut m = AdminModel::default();
        let now = Timestamp { micros: 5_000_000 };
        let mut feed = |name: &str, args: Value| {
            let args = args.as_array().cloned().unwrap_or_default();
            if let Ok(Some(e)) = AdminEvent::parse(name, &args) {
                m.apply(&e, now);
            }
        };
        feed("config", json!([{"supportedFeatures": ["EMIT", "ALL_EVENTS"]}]));
        feed(
            "server_stats",
            json!([{"serverId": "node-1", "hostname": "h", "pid": 42, "uptime": 65.0, "clientsCount": 1,
                    "pollingClientsCount": 0, "namespaces": [{"name": "/", "socketsCount": 1}]}]),
        );
        feed(
            "all_sockets",
            json!([[{"id": "abc", "nsp": "/", "clientId": "c1", "transport": "websocket",
                     "handshake": {"address": "127.0.0.1", "headers": {"user-agent": "ua"}}, "rooms": ["abc", "r1"]}]]),
        );
        let text = to_text(&m, now);
        assert!(text.contains("mode development"), "{text}");
        assert!(text.contains("node-1") && text.contains("1m05s"), "{text}");
        assert!(
            text.contains("abc") && text.contains("websocket") && text.contains("r1"),
            "{text}"
        );
        assert!(text.contains("rooms (1)") && text.contains("1: abc"), "{text}");
        let v = to_json(&m, now);
        assert_eq!(v["servers"][0]["id"], "node-1");
        assert_eq!(v["sockets"][0]["rooms"], json!(["abc", "r1"]));
        assert_eq!(v["rooms"], json!([{"nsp": "/", "name": "r1", "sockets": ["abc"]}]));
        assert_eq!(v["namespaces"], json!([{"name": "/", "sockets": 1}]));
    }
}
