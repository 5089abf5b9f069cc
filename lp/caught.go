package lp

import "sync"

// caught carries a panic from a worker goroutine to the goroutine that
// waits for it. A panic that leaves a goroutine of its own ends the whole
// process, however its caller recovers; a server planning in the
// background would stop for everyone. Workers run their jobs through
// run, and the waiting goroutine calls rethrow once they are done, so the
// panic surfaces where the solve was called, and whoever called it can
// recover it.
type caught struct {
	mu    sync.Mutex
	value any
}

// run calls fn, keeping the first panic it raises.
func (c *caught) run(fn func()) {
	defer c.catch()
	fn()
}

// catch, deferred, keeps the first panic of the function that defers it
// (for loops that would allocate a closure per job with run).
func (c *caught) catch() {
	if v := recover(); v != nil {
		c.mu.Lock()
		if c.value == nil {
			c.value = v
		}
		c.mu.Unlock()
	}
}

// rethrow panics again, in the caller's goroutine, with the first value
// a worker panicked with since the last rethrow, if any.
func (c *caught) rethrow() {
	c.mu.Lock()
	v := c.value
	c.value = nil
	c.mu.Unlock()
	if v != nil {
		panic(v)
	}
}
