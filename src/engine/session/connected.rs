//! The connected phase: frames in, commands, timers, the polling cycle and the
//! upgrade. Every incoming frame is recorded before the session acts on it, so
//! an answer never appears before its question.

use super::*;
use crate::proto::frame::JsonText;
use crate::proto::json_scan;

/// How many already-arrived WebSocket frames one turn of the serve loop handles.
const WS_FRAMES_PER_TURN: usize = 64;

impl Session {
    pub(super) async fn serve(&mut self) -> End {
        // One timer for the whole phase, moved only when the deadline changes: building a
        // new one every turn registered it with the runtime's timer each time (a quarter of
        // the engine's CPU under a flood).
        let timer = sleep_until(tokio::time::Instant::now());
        tokio::pin!(timer);
        let mut armed: Option<Instant> = None;
        loop {
            let deadline = self.next_deadline();
            if deadline != armed {
                if let Some(d) = deadline {
                    timer.as_mut().reset(tokio::time::Instant::from_std(d));
                }
                armed = deadline;
            }
            tokio::select! {
                ev = self.inbound_rx.recv() => {
                    if let Some(ev) = ev
                        && let Some(end) = self.on_inbound(ev).await
                    {
                        return end;
                    }
                }
                read = read_ws(self.conn.as_mut().and_then(|c| c.ws.as_mut()), self.opts.max_payload) => {
                    if let Some(end) = self.on_ws_read(read).await {
                        return end;
                    }
                }
                cmd = self.commands.recv(), if self.commands_open => match cmd {
                    None => {
                        self.commands_open = false;
                        return self.close_gracefully().await;
                    }
                    Some(c) => {
                        if let Some(end) = self.on_command(c).await {
                            return end;
                        }
                    }
                },
                _ = &mut timer, if armed.is_some() => {
                    // Fired: the next turn arms it again for whatever is due next.
                    armed = None;
                    if let Some(end) = self.on_timer().await {
                        return end;
                    }
                }
            }
        }
    }

    // ----- incoming -----

    async fn on_inbound(&mut self, ev: Inbound) -> Option<End> {
        match ev {
            Inbound::Poll { generation, result } if generation == self.generation => {
                if let Some(conn) = self.conn.as_mut() {
                    conn.get_in_flight = false;
                }
                let response = match result {
                    Ok(r) => r,
                    Err(RequestFailed { message, record, .. }) => {
                        self.http_record(record).await;
                        return Some(End::Lost(message));
                    }
                };
                self.http_record(response.record.clone()).await;
                if response.status != 200 {
                    return Some(End::Lost(describe_status(response.status, &response.body)));
                }
                for frame in self.split_body(&response.body).await {
                    if let Some(end) = self.on_frame(frame, Transport::Polling).await {
                        return Some(end);
                    }
                }
                self.start_get();
                self.check_pause().await
            }
            Inbound::Post { generation, result } if generation == self.generation => {
                if let Some(conn) = self.conn.as_mut() {
                    conn.post_in_flight = false;
                }
                match result {
                    Ok(response) => {
                        self.http_record(response.record.clone()).await;
                        if response.status != 200 {
                            return Some(End::Lost(describe_status(response.status, &response.body)));
                        }
                    }
                    Err(RequestFailed { message, record, .. }) => {
                        self.http_record(record).await;
                        return Some(End::Lost(message));
                    }
                }
                if let Err(e) = self.flush_posts().await {
                    return Some(End::Lost(e));
                }
                self.check_pause().await
            }
            Inbound::WsOpen { generation, result } if generation == self.generation => match *result {
                Ok((_, record)) if self.conn.as_ref().is_some_and(|c| c.upgrade != Upgrade::Opening) => {
                    // The upgrade was given up meanwhile (the session is closing): drop the socket.
                    self.http_record(record).await;
                    None
                }
                Ok((socket, record)) => {
                    self.http_record(record).await;
                    if let Some(conn) = self.conn.as_mut() {
                        conn.ws = Some(socket);
                        conn.upgrade = Upgrade::Probing;
                    }
                    self.state("upgrading", Some("probing the WebSocket".into()), Value::Null)
                        .await;
                    let probe = eio::Packet::text(eio::PacketType::Ping, "probe");
                    match self.send_on_ws(&probe).await {
                        Ok(()) => None,
                        Err(e) => self.upgrade_failed(e).await,
                    }
                }
                Err(RequestFailed { message, record, .. }) => {
                    self.http_record(record).await;
                    self.upgrade_failed(message).await
                }
            },
            // From a connection that is gone.
            _ => None,
        }
    }

    async fn on_ws_read(&mut self, mut read: WsRead) -> Option<End> {
        // Frames the socket already holds are taken in the same turn (a bounded number, so
        // commands and timers still get theirs): a turn of the select costs more than a frame.
        for _ in 0..WS_FRAMES_PER_TURN {
            let WsRead::Frame(frame) = read else { break };
            if let Some(end) = self.on_frame(frame, Transport::Websocket).await {
                return Some(end);
            }
            match ready_ws(self.conn.as_mut().and_then(|c| c.ws.as_mut()), self.opts.max_payload) {
                Some(next) => read = next,
                None => return None,
            }
        }
        match read {
            WsRead::Frame(frame) => self.on_frame(frame, Transport::Websocket).await,
            WsRead::Ended(reason) => {
                if self.conn.as_ref().is_some_and(|c| c.websocket) {
                    Some(End::Lost(reason))
                } else {
                    // The upgrade's probe socket.
                    self.upgrade_failed(reason).await
                }
            }
        }
    }

    async fn upgrade_failed(&mut self, reason: String) -> Option<End> {
        if let Some(conn) = self.conn.as_mut() {
            conn.ws = None;
            conn.upgrade = Upgrade::None;
        }
        self.state(
            "upgrade failed",
            Some(format!("{reason}; staying on polling")),
            Value::Null,
        )
        .await;
        self.start_get();
        // Packets queued while polling was paused for the upgrade go out by POST after all.
        self.flush_posts().await.err().map(End::Lost)
    }

    /// Records the server's first frame; only an open packet is acted on, since
    /// nothing else may come before it (`open` reports what came instead).
    pub(super) async fn on_first_frame(&mut self, frame: OwnedFrame, transport: Transport) {
        let Some(conn) = self.conn.as_mut() else { return };
        conn.first = Some(frame.clone());
        let decoded = conn.decoder_in.decode(frame.as_frame());
        let act = act_of(&decoded, false, false);
        let raw = match frame {
            OwnedFrame::Text(text) => Raw::Text { text },
            OwnedFrame::Binary(b) => Raw::Binary(crate::proto::frame::Bytes(b)),
        };
        self.frame_record(Direction::In, transport, raw, decoded).await;
        if matches!(act, Act::Open(_)) {
            self.act(act).await;
        }
    }

    /// Records one incoming frame, then acts on it.
    pub(super) async fn on_frame(&mut self, frame: OwnedFrame, transport: Transport) -> Option<End> {
        let conn = self.conn.as_mut()?;
        let mut decoded = conn.decoder_in.decode(frame.as_frame());
        self.note_event_before_connect(&mut decoded);
        let offsets = self.namespaces.iter().any(|n| n.pid.is_some());
        let act = act_of(&decoded, offsets, self.opts.auto_ack);
        let raw = match frame {
            OwnedFrame::Text(text) => Raw::Text { text },
            OwnedFrame::Binary(b) => Raw::Binary(crate::proto::frame::Bytes(b)),
        };
        // Built and handed over here, not through frame_record: on the hot path a nested
        // async call moves the 288-byte record into one more future.
        let record = self.stamp(Body::Frame(FrameRecord {
            dir: Some(Direction::In),
            transport: Some(transport),
            raw,
            decoded,
        }));
        if let Some(record) = self.try_hand_over(record) {
            let _ = self.records.send(record).await;
        }
        let probing = self
            .conn
            .as_ref()
            .is_some_and(|c| !c.websocket && c.upgrade == Upgrade::Probing);
        if transport == Transport::Websocket && probing && !matches!(act, Act::Pong(true)) {
            // The spec's failed probe: anything but `3probe` on the probe socket. Acting on
            // it as traffic would take a frame from a socket the session never adopted.
            return self
                .upgrade_failed("the server answered the probe with something other than 3probe".into())
                .await;
        }
        if matches!(act, Act::Nothing) {
            return None;
        }
        self.act(act).await
    }

    /// An event for a namespace still waiting for its CONNECT reply: python-socketio sends
    /// what its connect handler emits first. Only the session knows, so it adds the quirk.
    fn note_event_before_connect(&self, decoded: &mut Decoded) {
        if let Some(sio) = decoded.sio.as_mut()
            && sio.kind.is_event()
            && self
                .namespaces
                .iter()
                .any(|n| n.name == sio.nsp && n.state == NsState::Joining)
        {
            sio.quirks.push(crate::proto::sio::Quirk::EventBeforeConnect);
        }
    }

    async fn act(&mut self, act: Act) -> Option<End> {
        let conn = self.conn.as_mut()?;
        let eio = conn.eio;
        match act {
            Act::Nothing => None,
            Act::Open(h) => {
                if conn.sid.is_none() {
                    conn.sid = Some(h.sid.clone());
                    // Capped so that a hostile value cannot overflow a deadline; the
                    // record of the open packet keeps the server's own numbers.
                    conn.ping_interval = Duration::from_millis(h.ping_interval.min(MAX_PING_MS));
                    conn.ping_timeout = Duration::from_millis(h.ping_timeout.min(MAX_PING_MS));
                    conn.upgrades = h.upgrades.clone();
                    conn.max_payload = h.max_payload;
                }
                None
            }
            Act::Ping(true) => None,
            Act::Ping(false) => {
                if eio == EioVersion::V3 {
                    return None;
                }
                conn.ping_deadline = Some(Instant::now() + conn.ping_interval + conn.ping_timeout);
                match self.heartbeat {
                    HeartbeatMode::Normal => self
                        .send_eio(eio::Packet::text(eio::PacketType::Pong, ""))
                        .await
                        .err()
                        .map(End::Lost),
                    HeartbeatMode::Withhold => {
                        self.state(
                            "heartbeat withheld",
                            Some("not answering the server's ping".into()),
                            Value::Null,
                        )
                        .await;
                        None
                    }
                    HeartbeatMode::Delay(d) => {
                        conn.delayed_pongs.push_back(Instant::now() + d);
                        None
                    }
                }
            }
            Act::Pong(true) => {
                if conn.upgrade == Upgrade::Probing {
                    conn.upgrade = Upgrade::Pausing;
                    self.state(
                        "upgrading",
                        Some("probe answered; pausing polling before the upgrade".into()),
                        Value::Null,
                    )
                    .await;
                    return self.check_pause().await;
                }
                None
            }
            Act::Pong(false) => {
                if eio == EioVersion::V3 {
                    conn.pong_deadline = None;
                    let delay = match self.heartbeat {
                        HeartbeatMode::Delay(d) => d,
                        _ => Duration::ZERO,
                    };
                    conn.next_ping = Some(Instant::now() + conn.ping_interval + delay);
                    if let Some(sent) = conn.ping_sent.take() {
                        let rtt = sent.elapsed();
                        self.state(
                            "heartbeat",
                            Some(format!("pong after {:.1} ms", rtt.as_secs_f64() * 1000.0)),
                            json!({"rtt_ms": rtt.as_secs_f64() * 1000.0}),
                        )
                        .await;
                    }
                }
                None
            }
            Act::Close => Some(End::Lost(
                "the server closed the session (Engine.IO close packet)".into(),
            )),
            Act::Sio {
                kind,
                nsp,
                id,
                data,
                attachments,
            } => self.on_sio(kind, nsp, id, data, attachments).await,
        }
    }

    async fn on_sio(
        &mut self,
        kind: PacketType,
        nsp: String,
        id: Option<u64>,
        data: Option<Value>,
        attachments: Vec<Vec<u8>>,
    ) -> Option<End> {
        let eio = self.conn.as_ref()?.eio;
        match kind {
            PacketType::Connect => {
                if self
                    .namespaces
                    .iter()
                    .any(|n| n.name == nsp && n.state == NsState::Left)
                {
                    // Left while the join was pending: now that the server admitted us, leave.
                    return self
                        .send_sio(sio::Packet::new(PacketType::Disconnect, nsp), Vec::new())
                        .await
                        .err()
                        .map(End::Lost);
                }
                let ns = self.namespace_entry(&nsp, None);
                let sid = data
                    .as_ref()
                    .and_then(|d| d.get("sid"))
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let pid = data
                    .as_ref()
                    .and_then(|d| d.get("pid"))
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let recovered = pid.is_some() && ns.pid == pid && sid.is_some() && ns.sid == sid;
                ns.state = NsState::Connected;
                ns.answer_by = None;
                if sid.is_some() {
                    ns.sid = sid.clone();
                }
                ns.pid = pid.clone();
                for w in ns.join_waiters.drain(..) {
                    let _ = w.send(Ok(()));
                }
                let outbox: Vec<_> = std::mem::take(&mut ns.outbox).into();
                let mut detail = format!("{nsp} connected");
                if let Some(sid) = &sid {
                    detail.push_str(&format!(", socket id {sid}"));
                } else if eio == EioVersion::V4 {
                    detail.push_str(": no socket id, as a Socket.IO 2.x server answers (try --eio 3)");
                }
                if let Some(pid) = &pid {
                    detail.push_str(&format!(
                        ", recovery pid {pid}{}",
                        if recovered { ", session recovered" } else { "" }
                    ));
                }
                self.state(
                    "namespace connected",
                    Some(detail),
                    json!({"nsp": nsp, "sid": sid, "pid": pid, "recovered": recovered}),
                )
                .await;
                for queued in outbox {
                    let result = self.send_sio(queued.packet, queued.attachments).await;
                    if let Some(reply) = queued.reply {
                        let _ = reply.send(result.clone().map(|_| None));
                    }
                    if let Err(e) = result {
                        return Some(End::Lost(e));
                    }
                }
                None
            }
            PacketType::ConnectError => {
                let message = match &data {
                    Some(Value::Object(m)) => m
                        .get("message")
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                        .unwrap_or_else(|| Value::Object(m.clone()).to_string()),
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => "refused".into(),
                };
                let extra = data.as_ref().and_then(|d| d.get("data")).cloned();
                let detail = format!("{nsp} refused: {message}");
                self.namespace_failed(
                    &nsp,
                    detail.clone(),
                    json!({"nsp": nsp, "message": message, "data": extra}),
                )
                .await;
                self.none_left(&format!("no namespace left after the refusal: {detail}"))
            }
            PacketType::Disconnect => {
                let reason = "io server disconnect".to_string();
                if let Some(ns) = self.namespaces.iter_mut().find(|n| n.name == nsp) {
                    ns.state = NsState::Disconnected(reason.clone());
                    ns.wanted = false;
                    for (_, p) in ns.pending.drain() {
                        if let Some(r) = p.reply {
                            let _ = r.send(Err("no ack: the server disconnected the namespace".into()));
                        }
                    }
                }
                // python-socketio (always_connect) sends its refusal as the DISCONNECT's data.
                let said = data
                    .as_ref()
                    .and_then(|d| d.get("message"))
                    .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_string));
                let detail = match &said {
                    Some(m) => format!("{nsp}: {reason}: {m:?} (no automatic re-join)"),
                    None => format!("{nsp}: {reason} (no automatic re-join)"),
                };
                self.state(
                    "namespace disconnected",
                    Some(detail),
                    json!({"nsp": nsp, "reason": reason, "message": said}),
                )
                .await;
                self.none_left(&format!("{nsp} disconnected by the server ({reason})"))
            }
            PacketType::Event | PacketType::BinaryEvent => {
                if let Some(ns) = self.namespaces.iter_mut().find(|n| n.name == nsp)
                    && ns.pid.is_some()
                    && let Some(Value::String(offset)) = data
                {
                    ns.offset = Some(offset);
                }
                if let (Some(id), true) = (id, self.opts.auto_ack) {
                    return self
                        .send_ack(&nsp, id, Vec::new(), Vec::new())
                        .await
                        .err()
                        .map(End::Lost);
                }
                None
            }
            PacketType::Ack | PacketType::BinaryAck => {
                let id = id?;
                let pending = self
                    .namespaces
                    .iter_mut()
                    .find(|n| n.name == nsp)
                    .and_then(|ns| ns.pending.remove(&id));
                match pending {
                    Some(p) => {
                        let rtt = p.sent.elapsed();
                        let ms = rtt.as_secs_f64() * 1000.0;
                        self.state(
                            "ack",
                            Some(format!("{nsp} #{id} {:?} answered in {ms:.1} ms", p.event)),
                            json!({"nsp": nsp, "id": id, "event": p.event, "rtt_ms": ms}),
                        )
                        .await;
                        if let Some(reply) = p.reply {
                            let _ = reply.send(Ok(Some(AckReply {
                                args: data.unwrap_or(Value::Array(Vec::new())),
                                attachments,
                                rtt,
                            })));
                        }
                    }
                    None => {
                        self.state(
                            "unmatched ack",
                            Some(format!("{nsp} #{id}: no emit is waiting for this ack id")),
                            json!({"nsp": nsp, "id": id}),
                        )
                        .await;
                    }
                }
                None
            }
        }
    }

    /// The namespace is given up (refused, or never answered): its waiters and acks
    /// fail with the reason, and it is not joined again on a reconnect.
    async fn namespace_failed(&mut self, nsp: &str, detail: String, data: Value) {
        let ns = self.namespace_entry(nsp, None);
        ns.state = NsState::Failed(detail.clone());
        ns.wanted = false;
        ns.answer_by = None;
        ns.drop_outbox(&detail);
        for w in ns.join_waiters.drain(..) {
            let _ = w.send(Err(detail.clone()));
        }
        for (_, p) in ns.pending.drain() {
            if let Some(r) = p.reply {
                let _ = r.send(Err(format!("no ack: {detail}")));
            }
        }
        self.state("namespace failed", Some(detail), data).await;
    }

    /// The next moment a timer must act: heartbeats, or a CONNECT the server owes.
    pub(super) fn next_deadline(&self) -> Option<Instant> {
        let heartbeats = self.conn.as_ref().and_then(Conn::next_deadline);
        let answers = self
            .namespaces
            .iter()
            .filter(|n| n.state == NsState::Joining)
            .filter_map(|n| n.answer_by);
        heartbeats.into_iter().chain(answers).min()
    }

    /// Like the reference client: with no namespace left, the connection ends for good.
    fn none_left(&self, reason: &str) -> Option<End> {
        if self.namespaces.iter().any(Namespace::active) {
            None
        } else {
            Some(End::Closed(reason.to_string()))
        }
    }

    // ----- commands -----

    async fn on_command(&mut self, cmd: Command) -> Option<End> {
        match cmd {
            Command::Emit {
                nsp,
                event,
                args,
                attachments,
                ack,
                reply,
            } => {
                if let Err(e) = super::super::check_event_name(&event) {
                    let _ = reply.send(Err(e));
                    return None;
                }
                let Some(ns) = self.namespaces.iter_mut().find(|n| n.name == nsp && n.active()) else {
                    let _ = reply.send(Err(format!("not joined to {nsp}: join it first")));
                    return None;
                };
                let mut items = vec![Value::String(event.clone())];
                items.extend(args);
                let id = ack.then(|| {
                    let id = ns.next_ack;
                    ns.next_ack += 1;
                    id
                });
                let packet = binary::deconstruct(PacketType::Event, &nsp, id, &Value::Array(items), &attachments);
                let reply = match id {
                    Some(id) => {
                        ns.pending.insert(
                            id,
                            PendingAck {
                                event,
                                sent: Instant::now(),
                                reply: Some(reply),
                            },
                        );
                        None
                    }
                    None => Some(reply),
                };
                if ns.state == NsState::Joining {
                    ns.outbox.push_back(Queued {
                        packet,
                        attachments,
                        reply,
                    });
                    return None;
                }
                let result = self.send_sio(packet, attachments).await;
                if let Some(reply) = reply {
                    let _ = reply.send(result.clone().map(|_| None));
                }
                result.err().map(End::Lost)
            }
            Command::Join { nsp, auth, reply } => {
                let ns = self.namespace_entry(&nsp, auth);
                ns.wanted = true;
                if ns.state == NsState::Connected {
                    let _ = reply.send(Ok(()));
                    return None;
                }
                ns.join_waiters.push(reply);
                if ns.state == NsState::Joining && ns.join_waiters.len() > 1 {
                    return None;
                }
                ns.state = NsState::Joining;
                self.send_connect(&nsp).await.err().map(End::Lost)
            }
            Command::Leave { nsp, reply } => {
                let Some(ns) = self.namespaces.iter_mut().find(|n| n.name == nsp) else {
                    let _ = reply.send(Err(format!("not joined to {nsp}")));
                    return None;
                };
                ns.wanted = false;
                let before = std::mem::replace(&mut ns.state, NsState::Left);
                for (_, p) in ns.pending.drain() {
                    if let Some(r) = p.reply {
                        let _ = r.send(Err("no ack: the namespace was left".into()));
                    }
                }
                for w in ns.join_waiters.drain(..) {
                    let _ = w.send(Err(format!("not joined: {nsp} was left before the server answered")));
                }
                ns.drop_outbox(&format!("{nsp} was left before the server answered"));
                if before == NsState::Joining {
                    // Like the reference client, no DISCONNECT before the server admitted
                    // us: a v5 server drops the whole connection on one. It goes out when
                    // the CONNECT answer comes (see `on_sio`).
                    self.state(
                        "namespace left",
                        Some(format!("{nsp} left before the server answered the CONNECT")),
                        json!({"nsp": nsp}),
                    )
                    .await;
                    let _ = reply.send(Ok(()));
                    return None;
                }
                if before != NsState::Connected {
                    let _ = reply.send(Ok(()));
                    return None;
                }
                let result = self
                    .send_sio(sio::Packet::new(PacketType::Disconnect, nsp.clone()), Vec::new())
                    .await;
                self.state("namespace left", Some(format!("{nsp} left")), json!({"nsp": nsp}))
                    .await;
                let _ = reply.send(result.clone());
                result.err().map(End::Lost)
            }
            Command::Ack {
                nsp,
                id,
                args,
                attachments,
                reply,
            } => {
                let result = self.send_ack(&nsp, id, args, attachments).await;
                let _ = reply.send(result.clone());
                result.err().map(End::Lost)
            }
            Command::Raw { frame, reply } => {
                let result = self.send_raw(frame).await;
                let _ = reply.send(result.clone());
                result.err().map(End::Lost)
            }
            Command::Heartbeat(mode) => {
                self.heartbeat = mode;
                let detail = match mode {
                    HeartbeatMode::Normal => "answering heartbeats".to_string(),
                    HeartbeatMode::Withhold => "withholding heartbeats".to_string(),
                    HeartbeatMode::Delay(d) => format!("delaying heartbeats by {} ms", d.as_millis()),
                };
                self.state("heartbeat mode", Some(detail), Value::Null).await;
                if mode == HeartbeatMode::Normal {
                    self.arm_v3_ping_if_idle();
                }
                None
            }
            Command::Reconnect => Some(End::Lost("reconnect requested".into())),
            Command::Disconnect { reply } => {
                let end = self.close_gracefully().await;
                let _ = reply.send(Ok(()));
                Some(end)
            }
        }
    }

    fn arm_v3_ping_if_idle(&mut self) {
        if let Some(conn) = self.conn.as_mut()
            && conn.eio == EioVersion::V3
            && conn.next_ping.is_none()
            && conn.pong_deadline.is_none()
        {
            conn.next_ping = Some(Instant::now());
        }
    }

    async fn send_ack(
        &mut self,
        nsp: &str,
        id: u64,
        args: Vec<Value>,
        attachments: Vec<Vec<u8>>,
    ) -> Result<(), String> {
        let packet = binary::deconstruct(PacketType::Ack, nsp, Some(id), &Value::Array(args), &attachments);
        self.send_sio(packet, attachments).await
    }

    async fn send_connect(&mut self, nsp: &str) -> Result<(), String> {
        let Some(conn) = self.conn.as_ref() else {
            return Ok(());
        };
        let eio = conn.eio;
        let answer_by = Instant::now() + self.opts.timeout;
        let Some(ns) = self.namespaces.iter_mut().find(|n| n.name == nsp) else {
            return Ok(());
        };
        // Rev 4's "/" is connected by the server unasked, but it must still come.
        ns.answer_by = Some(answer_by);
        let packet = if eio == EioVersion::V3 {
            // Rev 4 servers connect "/" by themselves; auth rides as a query in the namespace.
            if nsp == "/" {
                return Ok(());
            }
            let query = auth_query(ns.auth.as_ref());
            sio::Packet::new(PacketType::Connect, format!("{nsp}{query}"))
        } else {
            let mut payload = ns.auth.clone();
            if let Some(pid) = &ns.pid {
                let mut map = match payload {
                    Some(Value::Object(m)) => m,
                    _ => Map::new(),
                };
                map.insert("pid".into(), Value::String(pid.clone()));
                if let Some(offset) = &ns.offset {
                    map.insert("offset".into(), Value::String(offset.clone()));
                }
                payload = Some(Value::Object(map));
            }
            let mut p = sio::Packet::new(PacketType::Connect, nsp.to_string());
            p.data = payload.map(|v| v.to_string().into());
            p
        };
        self.send_sio(packet, Vec::new()).await
    }

    pub(super) async fn join_wanted(&mut self) -> Result<(), String> {
        let wanted: Vec<String> = self
            .namespaces
            .iter()
            .filter(|n| n.wanted)
            .map(|n| n.name.clone())
            .collect();
        for nsp in wanted {
            if let Some(ns) = self.namespaces.iter_mut().find(|n| n.name == nsp) {
                ns.state = NsState::Joining;
            }
            self.send_connect(&nsp).await?;
        }
        Ok(())
    }

    // ----- outgoing -----

    async fn send_sio(&mut self, packet: sio::Packet<'static>, attachments: Vec<Vec<u8>>) -> Result<(), String> {
        for p in self.encode_sio(packet, attachments)? {
            self.send_eio(p).await?;
        }
        Ok(())
    }

    /// A Socket.IO packet as the Engine.IO messages the session's parser makes of it.
    fn encode_sio(
        &self,
        packet: sio::Packet<'static>,
        attachments: Vec<Vec<u8>>,
    ) -> Result<Vec<eio::Packet<'static>>, String> {
        if self.opts.parser == Parser::Msgpack {
            let bytes = msgpack::encode(&packet, &attachments).map_err(|e| format!("cannot encode: {e}"))?;
            return Ok(vec![eio::Packet::binary(bytes)]);
        }
        let mut out = vec![eio::Packet::text(eio::PacketType::Message, sio::encode(&packet))];
        out.extend(attachments.into_iter().map(eio::Packet::binary));
        Ok(out)
    }

    async fn send_eio(&mut self, packet: eio::Packet<'static>) -> Result<(), String> {
        let Some(conn) = self.conn.as_mut() else {
            return Err("not connected".into());
        };
        if conn.websocket {
            return self.send_on_ws(&packet).await;
        }
        conn.queue.push_back(Outgoing::Packet(packet));
        self.flush_posts().await
    }

    async fn send_raw(&mut self, frame: OwnedFrame) -> Result<(), String> {
        let Some(conn) = self.conn.as_mut() else {
            return Err("not connected".into());
        };
        if conn.websocket {
            return self.write_ws(frame).await;
        }
        let body = match frame {
            OwnedFrame::Text(t) => t.into_bytes(),
            OwnedFrame::Binary(b) => b,
        };
        conn.queue.push_back(Outgoing::RawBody(body));
        self.flush_posts().await
    }

    /// Encodes for the WebSocket, records, sends.
    async fn send_on_ws(&mut self, packet: &eio::Packet<'_>) -> Result<(), String> {
        let eio = self.conn.as_ref().map_or(EioVersion::V4, |c| c.eio);
        self.write_ws(eio::encode(packet, eio, BinaryForm::Raw)).await
    }

    async fn write_ws(&mut self, frame: OwnedFrame) -> Result<(), String> {
        let Some(conn) = self.conn.as_mut() else {
            return Err("not connected".into());
        };
        let decoded = conn.decoder_out.decode(frame.as_frame());
        let message = match &frame {
            OwnedFrame::Text(t) => Message::text(t.clone()),
            OwnedFrame::Binary(b) => Message::binary(b.clone()),
        };
        let raw = match frame {
            OwnedFrame::Text(text) => Raw::Text { text },
            OwnedFrame::Binary(b) => Raw::Binary(crate::proto::frame::Bytes(b)),
        };
        self.frame_record(Direction::Out, Transport::Websocket, raw, decoded)
            .await;
        let Some(sink) = self.conn.as_mut().and_then(|c| c.ws.as_mut()) else {
            return Err("no WebSocket".into());
        };
        sink.send(message)
            .await
            .map_err(|e| format!("WebSocket send failed: {e}"))
    }

    /// Starts a POST with what is queued, unless one is in flight or polling is paused.
    async fn flush_posts(&mut self) -> Result<(), String> {
        let max = self.opts.max_post_packets.max(1);
        let Some(conn) = self.conn.as_mut() else {
            return Ok(());
        };
        if conn.websocket || conn.post_in_flight || conn.upgrade == Upgrade::Pausing || conn.queue.is_empty() {
            return Ok(());
        }
        let Some(sid) = conn.sid.clone() else {
            return Ok(());
        };
        let eio = conn.eio;
        let mut frames: Vec<OwnedFrame> = Vec::new();
        let body: Vec<u8> = match conn.queue.pop_front() {
            Some(Outgoing::RawBody(body)) => {
                let split = payload::split(&body, eio);
                frames.extend(split.records.iter().map(|f| f.to_owned_frame()));
                body
            }
            Some(Outgoing::Packet(first)) => {
                let mut packets = vec![first];
                while packets.len() < max && matches!(conn.queue.front(), Some(Outgoing::Packet(_))) {
                    if let Some(Outgoing::Packet(p)) = conn.queue.pop_front() {
                        packets.push(p);
                    }
                }
                frames.extend(packets.iter().map(|p| eio::encode(p, eio, BinaryForm::Base64)));
                payload::join_text(&packets, eio).into_bytes()
            }
            None => return Ok(()),
        };
        conn.post_in_flight = true;
        let decoded: Vec<Decoded> = frames.iter().map(|f| conn.decoder_out.decode(f.as_frame())).collect();
        for (frame, decoded) in frames.into_iter().zip(decoded) {
            let raw = match frame {
                OwnedFrame::Text(text) => Raw::Text { text },
                OwnedFrame::Binary(b) => Raw::Binary(crate::proto::frame::Bytes(b)),
            };
            self.frame_record(Direction::Out, Transport::Polling, raw, decoded)
                .await;
        }
        let url = self.polling_url(eio, Some(&sid));
        let http = self.http.clone();
        let tx = self.inbound_tx.clone();
        let generation = self.generation;
        let authority = self.target.authority();
        let task = tokio::spawn(async move {
            let result = http.send(reqwest::Method::POST, url, Some(body), &authority).await;
            let _ = tx.send(Inbound::Post { generation, result }).await;
        });
        if let Some(conn) = self.conn.as_mut() {
            conn.tasks.retain(|t| !t.is_finished());
            conn.tasks.push(task);
        }
        Ok(())
    }

    /// Starts the next long-poll GET unless one is in flight, polling is paused, or over.
    pub(super) fn start_get(&mut self) {
        let Some(conn) = self.conn.as_mut() else { return };
        if conn.websocket || conn.get_in_flight || matches!(conn.upgrade, Upgrade::Pausing | Upgrade::Done) {
            return;
        }
        let Some(sid) = conn.sid.clone() else { return };
        conn.get_in_flight = true;
        let eio = conn.eio;
        let url = self.polling_url(eio, Some(&sid));
        let http = self.http.clone();
        let tx = self.inbound_tx.clone();
        let generation = self.generation;
        let authority = self.target.authority();
        let task = tokio::spawn(async move {
            let result = http.send(reqwest::Method::GET, url, None, &authority).await;
            let _ = tx.send(Inbound::Poll { generation, result }).await;
        });
        if let Some(conn) = self.conn.as_mut() {
            conn.tasks.retain(|t| !t.is_finished());
            conn.tasks.push(task);
        }
    }

    pub(super) async fn start_upgrade(&mut self) {
        let Some(conn) = self.conn.as_mut() else { return };
        let Some(sid) = conn.sid.clone() else { return };
        conn.upgrade = Upgrade::Opening;
        let eio = conn.eio;
        let url = self.websocket_url(eio, Some(&sid));
        self.state("upgrading", Some(format!("opening {url}")), Value::Null)
            .await;
        let http = self.http.clone();
        let tls = self.tls.clone();
        let tx = self.inbound_tx.clone();
        let generation = self.generation;
        let authority = self.target.authority();
        let task = tokio::spawn(async move {
            let result = ws::open(url, &http, tls, &authority).await;
            let _ = tx
                .send(Inbound::WsOpen {
                    generation,
                    result: Box::new(result),
                })
                .await;
        });
        if let Some(conn) = self.conn.as_mut() {
            conn.tasks.push(task);
        }
    }

    /// Completes the upgrade once no poll is in flight: `5`, then WebSocket only.
    async fn check_pause(&mut self) -> Option<End> {
        let conn = self.conn.as_mut()?;
        if conn.upgrade != Upgrade::Pausing || conn.get_in_flight || conn.post_in_flight {
            return None;
        }
        if let Err(e) = self.send_on_ws(&eio::Packet::text(eio::PacketType::Upgrade, "")).await {
            return self.upgrade_failed(e).await;
        }
        let conn = self.conn.as_mut()?;
        conn.websocket = true;
        conn.upgrade = Upgrade::Done;
        let queued: Vec<Outgoing> = conn.queue.drain(..).collect();
        self.state(
            "upgraded",
            Some("polling → websocket".into()),
            json!({"transport": "websocket"}),
        )
        .await;
        for out in queued {
            let result = match out {
                Outgoing::Packet(p) => self.send_on_ws(&p).await,
                Outgoing::RawBody(b) => {
                    self.write_ws(OwnedFrame::Text(String::from_utf8_lossy(&b).into_owned()))
                        .await
                }
            };
            if let Err(e) = result {
                return Some(End::Lost(e));
            }
        }
        None
    }

    // ----- heartbeats -----

    pub(super) fn arm_heartbeat(&mut self) {
        let heartbeat = self.heartbeat;
        let Some(conn) = self.conn.as_mut() else { return };
        let now = Instant::now();
        match conn.eio {
            EioVersion::V4 => conn.ping_deadline = Some(now + conn.ping_interval + conn.ping_timeout),
            EioVersion::V3 => {
                let delay = match heartbeat {
                    HeartbeatMode::Delay(d) => d,
                    _ => Duration::ZERO,
                };
                conn.next_ping = Some(now + conn.ping_interval + delay);
            }
        }
    }

    async fn on_timer(&mut self) -> Option<End> {
        let now = Instant::now();
        let unanswered: Vec<String> = self
            .namespaces
            .iter()
            .filter(|n| n.state == NsState::Joining && n.answer_by.is_some_and(|d| d <= now))
            .map(|n| n.name.clone())
            .collect();
        if !unanswered.is_empty() {
            let secs = self.opts.timeout.as_secs_f64();
            let mut details = Vec::new();
            for nsp in unanswered {
                let detail = format!("{nsp}: the server did not answer the CONNECT within {secs} s (--timeout)");
                let data = json!({"nsp": nsp, "timeout_ms": self.opts.timeout.as_millis() as u64});
                self.namespace_failed(&nsp, detail.clone(), data).await;
                details.push(detail);
            }
            return self.none_left(&format!("no namespace left: {}", details.join("; ")));
        }
        let conn = self.conn.as_mut()?;
        if conn.ping_deadline.is_some_and(|d| d <= now) {
            let window = conn.ping_interval + conn.ping_timeout;
            return Some(End::Lost(format!(
                "no ping from the server within {} ms (pingInterval + pingTimeout): ping timeout",
                window.as_millis()
            )));
        }
        if conn.pong_deadline.is_some_and(|d| d <= now) {
            return Some(End::Lost(format!(
                "no pong within {} ms (pingTimeout): ping timeout",
                conn.ping_timeout.as_millis()
            )));
        }
        if conn.delayed_pongs.front().is_some_and(|d| *d <= now) {
            conn.delayed_pongs.pop_front();
            return self
                .send_eio(eio::Packet::text(eio::PacketType::Pong, ""))
                .await
                .err()
                .map(End::Lost);
        }
        if conn.next_ping.is_some_and(|d| d <= now) {
            conn.next_ping = None;
            if self.heartbeat == HeartbeatMode::Withhold {
                self.state(
                    "heartbeat withheld",
                    Some("not sending the client's ping".into()),
                    Value::Null,
                )
                .await;
                return None;
            }
            conn.ping_sent = Some(now);
            conn.pong_deadline = Some(now + conn.ping_timeout);
            return self
                .send_eio(eio::Packet::text(eio::PacketType::Ping, ""))
                .await
                .err()
                .map(End::Lost);
        }
        None
    }

    // ----- closing -----

    /// Leaves every namespace and ends the session as the client chose.
    pub(super) async fn close_gracefully(&mut self) -> End {
        let reason = "io client disconnect".to_string();
        self.settle_polling().await;
        // DISCONNECT only where the server admitted us, as the reference client does: a
        // v5 server drops the connection on a DISCONNECT for a namespace still joining.
        let active: Vec<String> = self
            .namespaces
            .iter()
            .filter(|n| n.state == NsState::Connected)
            .map(|n| n.name.clone())
            .collect();
        let Some(conn) = self.conn.as_ref() else {
            return End::Closed(reason);
        };
        let (eio, websocket, sid) = (conn.eio, conn.websocket, conn.sid.clone());
        let mut packets = Vec::new();
        for nsp in &active {
            // In the session's parser: a text `41` is garbage to a msgpack server.
            let packet = sio::Packet::new(PacketType::Disconnect, nsp.clone());
            if let Ok(encoded) = self.encode_sio(packet, Vec::new()) {
                packets.extend(encoded);
            }
        }
        for ns in &mut self.namespaces {
            ns.wanted = false;
        }
        if websocket {
            for p in &packets {
                let _ = self.send_on_ws(p).await;
            }
            if let Some(socket) = self.conn.as_mut().and_then(|c| c.ws.as_mut()) {
                // A close frame with no status, then flushed.
                let _ = socket.close(None).await;
            }
        } else if let Some(sid) = sid {
            // As the reference client does: the DISCONNECTs first, the close in a POST of its
            // own. In one payload the server closes the transport before it handles the `41`s
            // (they are dispatched a tick later) and reports "transport close" for each socket.
            let close = vec![eio::Packet::text(eio::PacketType::Close, "")];
            for batch in [packets, close] {
                if !batch.is_empty() {
                    self.post_now(&sid, eio, &batch).await;
                }
            }
        }
        End::Closed(reason)
    }

    /// Before the goodbye over polling: what is queued or in flight goes first, so the
    /// server gets every emit before the DISCONNECTs, and no two POSTs overlap (the
    /// server answers an overlapping one 400 and drops the session).
    async fn settle_polling(&mut self) {
        if let Some(conn) = self.conn.as_mut()
            && !conn.websocket
            && conn.upgrade != Upgrade::None
        {
            // An upgrade under way is moot now; giving it up lets the paused queue flow.
            conn.upgrade = Upgrade::None;
            conn.ws = None;
        }
        let deadline = tokio::time::Instant::now() + self.opts.timeout;
        loop {
            let Some(conn) = self.conn.as_ref() else { return };
            if conn.websocket {
                return;
            }
            if !conn.post_in_flight {
                if conn.queue.is_empty() || self.flush_posts().await.is_err() {
                    return;
                }
                continue;
            }
            match tokio::time::timeout_at(deadline, self.inbound_rx.recv()).await {
                Ok(Some(ev)) => {
                    if self.on_inbound(ev).await.is_some() {
                        return;
                    }
                }
                _ => return,
            }
        }
    }

    /// Records and POSTs these packets at once, waiting for the answer (used when closing).
    async fn post_now(&mut self, sid: &str, eio: EioVersion, packets: &[eio::Packet<'static>]) {
        for packet in packets {
            let frame = eio::encode(packet, eio, BinaryForm::Base64);
            let Some(conn) = self.conn.as_mut() else { return };
            let decoded = conn.decoder_out.decode(frame.as_frame());
            let raw = match frame {
                OwnedFrame::Text(text) => Raw::Text { text },
                OwnedFrame::Binary(b) => Raw::Binary(crate::proto::frame::Bytes(b)),
            };
            self.frame_record(Direction::Out, Transport::Polling, raw, decoded)
                .await;
        }
        let body = payload::join_text(packets, eio).into_bytes();
        let url = self.polling_url(eio, Some(sid));
        let authority = self.target.authority();
        match self.http.send(reqwest::Method::POST, url, Some(body), &authority).await {
            Ok(r) => self.http_record(r.record).await,
            Err(failed) => self.http_record(failed.record).await,
        }
    }
}

/// 30 days: far beyond any real heartbeat, small enough to add to any `Instant`.
const MAX_PING_MS: u64 = 30 * 24 * 3600 * 1000;

/// `{"token":"x"}` → `?token=x` for rev-4 namespace auth.
fn auth_query(auth: Option<&Value>) -> String {
    let Some(Value::Object(map)) = auth else {
        return String::new();
    };
    if map.is_empty() {
        return String::new();
    }
    let mut url = url::Url::parse("http://x/").unwrap_or_else(|_| unreachable!("static URL"));
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in map {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            q.append_pair(k, &v);
        }
    }
    format!("?{}", url.query().unwrap_or(""))
}

/// What a decoded frame asks of the session. An event asks something only when its
/// recovery offset is kept (`offsets`: a namespace has a recovery pid) or it wants an
/// ack that `auto_ack` gives; otherwise it is only recorded.
fn act_of(decoded: &Decoded, offsets: bool, auto_ack: bool) -> Act {
    let Some(eio_layer) = &decoded.eio else {
        return Act::Nothing;
    };
    match eio_layer.kind {
        eio::PacketType::Open => match &eio_layer.handshake {
            Some(h) => Act::Open(h.clone()),
            None => Act::Nothing,
        },
        eio::PacketType::Ping => Act::Ping(eio_layer.data.as_deref() == Some("probe")),
        eio::PacketType::Pong => Act::Pong(eio_layer.data.as_deref() == Some("probe")),
        eio::PacketType::Close => Act::Close,
        eio::PacketType::Message => match &decoded.sio {
            Some(sio) if sio.kind.is_event() && !offsets && !(auto_ack && sio.id.is_some()) => Act::Nothing,
            Some(sio) if sio.complete => {
                let data = if sio.kind.is_event() {
                    // Events only matter for their recovery offset, the last string argument:
                    // a scan finds it without parsing every event that comes in.
                    let offset = sio
                        .data
                        .as_ref()
                        .filter(|_| offsets)
                        .and_then(|d| json_scan::last_string(d.as_str()));
                    offset.map(Value::String)
                } else {
                    sio.data.as_ref().map(JsonText::value)
                };
                Act::Sio {
                    kind: sio.kind,
                    nsp: sio.nsp.clone(),
                    id: sio.id,
                    data,
                    attachments: if sio.kind.is_ack() {
                        sio.attachments.iter().map(|b| b.0.clone()).collect()
                    } else {
                        Vec::new()
                    },
                }
            }
            _ => Act::Nothing,
        },
        _ => Act::Nothing,
    }
}
