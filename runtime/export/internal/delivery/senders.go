package delivery

import "time"

// sendLoop is one sender: it takes the next batch and sends it, and idles
// while the destination is down, paused, or has nothing to send.
func (bl *Backlog) sendLoop() {
	defer bl.workers.Done()
	for bl.sendCtx.Err() == nil {
		if bl.Down() {
			bl.spill()
		}
		if bl.Down() || bl.pause.remaining() > 0 || !bl.cfg.Breaker.Ready() {
			if bl.draining.Load() {
				return
			}
			bl.idle(bl.untilAvailable())
			continue
		}
		b := bl.next() // a replayed batch may be the breaker's probe
		if b == nil {
			if bl.draining.Load() {
				return
			}
			bl.idle(bl.cfg.PollInterval)
			continue
		}
		bl.handle(b)
	}
}

// handle sends one batch and settles it. A batch that a request may
// already have delivered is first checked against what the destination
// holds, when it can say (Config.StoredCheck), and then sends only the
// rest.
func (bl *Backlog) handle(b *Batch) {
	bl.c.InFlight.Add(1)
	defer bl.c.InFlight.Add(-1)
	b.tries = 0
	for {
		if bl.cfg.StoredCheck != nil && b.maybeSent() && !b.checked {
			if bl.dedupe(b) == settled {
				return
			}
		}
		v, a := bl.send.deliver(bl.sendCtx, b)
		if v != recheck {
			bl.settle(b, v, a)
			return
		}
	}
}

func (bl *Backlog) idle(wait time.Duration) {
	wait = min(max(wait, time.Millisecond), bl.cfg.PollInterval)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-bl.queue.Ready():
	case <-bl.wake:
	case <-t.C:
	case <-bl.sendCtx.Done():
	}
}

// untilAvailable is how long until the breaker's next probe or the end of
// the pause, whichever is later.
func (bl *Backlog) untilAvailable() time.Duration {
	wait := bl.pause.remaining()
	if next := bl.cfg.Breaker.Status().NextProbe; !next.IsZero() {
		wait = max(wait, time.Until(next))
	}
	if wait <= 0 {
		return bl.cfg.PollInterval
	}
	return wait
}

// adoptLoop adopts, now and every few poll intervals, the spool
// directories that processes now gone left behind: at start, those of the
// processes before; later, those of a process replaced by a rolling deploy
// after this one started.
func (bl *Backlog) adoptLoop() {
	defer close(bl.adoptDone)
	if bl.spool == nil {
		return
	}
	// The first look waits a poll interval: an application starting up has
	// better use for its CPU than reading back an earlier process's spool.
	wait := time.NewTimer(bl.cfg.PollInterval)
	defer wait.Stop()
	for {
		select {
		case <-wait.C:
		case <-bl.stopAdopt:
			return
		}
		if bl.spool.Adopt() > 0 {
			bl.Kick()
		}
		wait.Reset(5 * bl.cfg.PollInterval)
	}
}
