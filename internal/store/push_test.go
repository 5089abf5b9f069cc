package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// pushSub is a subscription whose endpoint and keys carry n, shaped as
// browsers' are (the keys need not be valid points: the store does not
// look into them).
func pushSub(n int) PushSubscription {
	return PushSubscription{
		Endpoint: fmt.Sprintf("https://fcm.googleapis.com/fcm/send/device-secret-%02d:APA91bH", n),
		P256dh:   fmt.Sprintf("BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM%02d", n),
		Auth:     fmt.Sprintf("tBHItJI5svbpez7KI4CC%02d", n),
	}
}

// subsOf returns the member's subscriptions without their times.
func subsOf(t *testing.T, s *Store, member string) []PushSubscription {
	t.Helper()
	got, err := s.PushSubscriptions(context.Background(), member)
	if err != nil {
		t.Fatalf("PushSubscriptions(%s): %v", member, err)
	}
	for i := range got {
		got[i].Created = time.Time{}
	}
	return got
}

func testPush(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	cfg := fresh(t)
	s := open(t, cfg)
	clock := time.Date(2026, 11, 29, 15, 0, 0, 0, time.UTC)
	s.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	for _, m := range []Member{{ID: "m-ana", Alias: "Ana", Language: "es", Cell: "9q5cs"}, {ID: "m-bea", Alias: "Bea", Language: "en", Cell: "9q5cs"}} {
		if _, err := s.CreateMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	add := func(member string, p PushSubscription) {
		t.Helper()
		got, err := s.AddPushSubscription(ctx, member, p)
		if err != nil {
			t.Fatalf("AddPushSubscription(%s): %v", member, err)
		}
		if got.Endpoint != p.Endpoint || got.Created.IsZero() {
			t.Errorf("AddPushSubscription(%s): got %+v", member, got)
		}
	}
	want := func(member string, subs ...PushSubscription) {
		t.Helper()
		if got := subsOf(t, s, member); !reflect.DeepEqual(got, subs) {
			t.Errorf("subscriptions of %s: got %+v, want %+v", member, got, subs)
		}
	}

	want("m-ana")
	phone, laptop := pushSub(1), pushSub(2)
	add("m-ana", phone)
	add("m-ana", laptop)
	want("m-ana", phone, laptop)
	if got, err := s.PushSubscriptions(ctx, "m-ana"); err != nil || !got[0].Created.Before(got[1].Created) {
		t.Errorf("created times: got %+v, %v, want the phone's first", got, err)
	}

	// Nothing of them is in the database in clear, and the index is not
	// a plain hash of the endpoint.
	for table, rows := range dump(t, s) {
		for _, r := range rows {
			for _, secret := range []string{"device-secret-01", "device-secret-02", phone.Auth, laptop.Auth, phone.P256dh[:40]} {
				if strings.Contains(r, secret) {
					t.Errorf("table %s holds %q in clear: %s", table, secret, r)
				}
			}
			if strings.Contains(r, hashOf(phone.Endpoint)) {
				t.Errorf("table %s holds the SHA-256 of an endpoint, which anyone can check a guess against", table)
			}
		}
	}

	// The same browser subscribing again replaces its keys.
	renewed := phone
	renewed.Auth = "renewedAuthSecret0123w"
	add("m-ana", renewed)
	want("m-ana", laptop, renewed)

	// Another member signs in on Ana's laptop and subscribes: the
	// browser is theirs now.
	add("m-bea", laptop)
	want("m-ana", renewed)
	want("m-bea", laptop)

	wantCode(t, "delete another member's subscription", s.DeletePushSubscription(ctx, "m-ana", laptop.Endpoint), CodeNotFound)
	if err := s.DeletePushSubscription(ctx, "m-ana", renewed.Endpoint); err != nil {
		t.Errorf("DeletePushSubscription: %v", err)
	}
	want("m-ana")
	wantCode(t, "delete again", s.DeletePushSubscription(ctx, "m-ana", renewed.Endpoint), CodeNotFound)

	// The push service says Bea's laptop is gone.
	if err := s.PushSubscriptionGone(ctx, laptop.Endpoint); err != nil {
		t.Errorf("PushSubscriptionGone: %v", err)
	}
	want("m-bea")
	if err := s.PushSubscriptionGone(ctx, laptop.Endpoint); err != nil {
		t.Errorf("PushSubscriptionGone of one gone already: %v", err)
	}

	// A member keeps the newest MaxPushSubscriptions.
	var all []PushSubscription
	for i := range MaxPushSubscriptions + 2 {
		p := pushSub(10 + i)
		add("m-ana", p)
		all = append(all, p)
	}
	want("m-ana", all[2:]...)

	// Bad input changes nothing.
	for _, tc := range []struct {
		name   string
		member string
		p      PushSubscription
		code   Code
	}{
		{"no endpoint", "m-ana", PushSubscription{P256dh: "x", Auth: "y"}, CodeInvalid},
		{"no p256dh", "m-ana", PushSubscription{Endpoint: "https://push.example/x", Auth: "y"}, CodeInvalid},
		{"no auth", "m-ana", PushSubscription{Endpoint: "https://push.example/x", P256dh: "x"}, CodeInvalid},
		{"endpoint too long", "m-ana", PushSubscription{Endpoint: "https://push.example/" + strings.Repeat("x", maxPushField), P256dh: "x", Auth: "y"}, CodeInvalid},
		{"unknown member", "m-nobody", pushSub(99), CodeNotFound},
	} {
		_, err := s.AddPushSubscription(ctx, tc.member, tc.p)
		wantCode(t, "AddPushSubscription, "+tc.name, err, tc.code)
	}
	want("m-ana", all[2:]...)

	// RotateKey seals them again and changes their index; they open,
	// and are found by their endpoint, as before.
	add("m-bea", phone)
	before := rowsOf(t, s, "push_subscriptions")
	if err := s.RotateKey(ctx); err != nil {
		t.Fatalf("RotateKey: %v", err)
	}
	after := strings.Join(rowsOf(t, s, "push_subscriptions"), "\n")
	for _, r := range before {
		idx, _, _ := strings.Cut(r, " | ")
		if strings.Contains(after, idx) {
			t.Errorf("after RotateKey, an endpoint index is unchanged: %s", idx)
		}
	}
	want("m-ana", all[2:]...)
	want("m-bea", phone)
	if err := s.DeletePushSubscription(ctx, "m-bea", phone.Endpoint); err != nil {
		t.Errorf("DeletePushSubscription after RotateKey: %v", err)
	}

	// Deleting them all says how many.
	if n, err := s.DeletePushSubscriptions(ctx, "m-ana"); err != nil || n != MaxPushSubscriptions {
		t.Errorf("DeletePushSubscriptions: got %d, %v, want %d", n, err, MaxPushSubscriptions)
	}
	want("m-ana")

	// Erasure takes them with the member.
	add("m-bea", pushSub(3))
	if err := s.DeleteMember(ctx, "m-bea"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM push_subscriptions`); n != 0 {
		t.Errorf("after DeleteMember: %d push subscriptions left, want 0", n)
	}

	// A subscription is sealed under the key as a contact is: without
	// the key file, Open refuses rather than make a new key under which
	// it would never open, even with no contact in the database.
	add("m-ana", pushSub(4))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if cfg.PostgresURL == "" {
		data, err := os.ReadFile(filepath.Join(cfg.DataDir, DBFile))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("device-secret")) {
			t.Errorf("%s holds an endpoint in clear", DBFile)
		}
	}
	keyPath := cfg.KeyFile
	if keyPath == "" {
		keyPath = filepath.Join(cfg.DataDir, "key")
	}
	if err := os.Rename(keyPath, keyPath+".hidden"); err != nil {
		t.Fatal(err)
	}
	_, err := Open(ctx, cfg)
	wantCode(t, "Open without the key file, with a push subscription sealed", err, CodeUnavailable)
	if err := os.Rename(keyPath+".hidden", keyPath); err != nil {
		t.Fatal(err)
	}
	s = open(t, cfg)
	want("m-ana", pushSub(4))
}
