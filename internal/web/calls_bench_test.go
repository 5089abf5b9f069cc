package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/notify/smtptest"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/store/storetest"
	"github.com/commune-org/commune/internal/world"
)

// BenchmarkCallEmail is the second half of issue 6's benchmark: how
// fast the dispatcher hands a ring's notices to the SMTP channel, to an
// SMTP server on the same machine (smtptest, in this process), on
// SQLite and on the PostgreSQL of COMMUNE_TEST_POSTGRES. One op is one
// ring of 5,000 emails, written, claimed, sent and marked; emails/s
// counts the time from the first claim to the last mark, and every
// message must have reached the server.
//
//	nice -n 10 go test ./internal/web -run '^$' -bench CallEmail -benchtime 2x
func BenchmarkCallEmail(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchCallEmail(b, store.Config{DataDir: b.TempDir()}) })
	b.Run("postgres", func(b *testing.B) {
		dsn, _ := storetest.Schema(b, storetest.Server(b))
		benchCallEmail(b, store.Config{PostgresURL: dsn, KeyFile: filepath.Join(b.TempDir(), "key")})
	})
}

func benchCallEmail(b *testing.B, cfg store.Config) {
	const n = 5000
	ctx := context.Background()
	st, err := store.Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	mail := smtptest.Start(b, smtptest.Options{})
	var received atomic.Int64
	go func() {
		for range mail.Messages {
			received.Add(1)
		}
	}()
	mailer, err := notify.NewMailer(mail.URL)
	if err != nil {
		b.Fatal(err)
	}
	srv := New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{Mailer: mailer})
	if _, err := st.CreateCollective(ctx, store.Collective{ID: "c-garment", Name: "Garment 7", Kind: store.Workplace}); err != nil {
		b.Fatal(err)
	}
	w, err := world.Read(strings.NewReader(callsWorld))
	if err != nil {
		b.Fatal(err)
	}
	if err := st.PutWorld(ctx, w); err != nil {
		b.Fatal(err)
	}
	if err := st.PutCollectiveCallSettings(ctx, "c-garment", store.CollectiveCallSettings{Verify: false}); err != nil {
		b.Fatal(err)
	}
	var in []store.ImportedMember
	for i := range n {
		in = append(in, store.ImportedMember{Line: i + 1, Member: store.Member{Alias: fmt.Sprintf("m%05d", i), Language: "es",
			Cell: geo.Encode(factoryLat+float64(i%70-35)*0.0005, factoryLon+float64(i/70-35)*0.0005, 6), CallOptIn: true,
			Contact: store.Contact{Email: fmt.Sprintf("m%05d@example.org", i)}}})
	}
	if _, err := st.ImportMembers(ctx, in, false); err != nil {
		b.Fatal(err)
	}
	sent := 0
	var sending, cpu time.Duration
	for b.Loop() {
		now := time.Now()
		c, err := st.CreateCall(ctx, store.NewCall{Collective: "c-garment", Request: call.Request{Site: "fabrica-norte", Kind: call.Raid,
			Headcount: (n + 2) / 3, Until: now.Add(time.Hour), Message: call.Message{ES: "Redada"}}}, now)
		if err != nil {
			b.Fatal(err)
		}
		if k, _, err := st.Ring(ctx, c.ID, now, call.DefaultPolicy, []string{"email"}); err != nil || k != n {
			b.Fatalf("ring: %d, %v", k, err)
		}
		start, cpu0 := time.Now(), cpuTime(b)
		for {
			k, err := srv.Dispatch(ctx, time.Now())
			if err != nil {
				b.Fatal(err)
			}
			if k == 0 {
				break
			}
			sent += k
		}
		sending += time.Since(start)
		cpu += cpuTime(b) - cpu0
	}
	b.StopTimer()
	// Every message claimed reached the server: a failed send counts as
	// claimed too, and must not pass for speed.
	for wait := time.Now(); received.Load() < int64(sent) && time.Since(wait) < time.Minute; {
		time.Sleep(10 * time.Millisecond)
	}
	if got := received.Load(); got != int64(sent) {
		b.Fatalf("the server received %d messages, want %d", got, sent)
	}
	opened, _ := mail.Connections()
	b.ReportMetric(float64(sent)/sending.Seconds(), "emails/s")
	b.ReportMetric(float64(opened)/float64(sent), "conns/email")
	// The CPU the process spent a message (the dispatcher, the store and
	// the SMTP server), which other engineers' load on the machine does
	// not inflate as it does the wall-clock rate.
	b.ReportMetric(float64(cpu.Microseconds())/float64(sent), "cpu-µs/email")
}
