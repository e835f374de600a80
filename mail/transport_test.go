package mail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"opsdeck/store/storetest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

func sampleMessage() *Message {
	return &Message{ID: "<opsdeck.1.abc@example.com>", From: "Reports <reports@example.com>",
		To: []string{`"Casey Brooks" <owner@example.com>`}, Bcc: []string{"audit@example.com"},
		Subject: "Queen of San Diego Portfolio: CFO report — 26 Nov", Text: "CFO REPORT\n\nBurn $7,036–$8,696 a month.\n",
		HTML: "<!DOCTYPE html><p>Burn <b>$7,036–$8,696</b></p>", Date: storetest.Now, Headers: map[string]string{"X-Opsdeck-Report": "cfo"}}
}

// parts parses a message back: headers and its text and HTML parts.
func parts(t *testing.T, raw []byte) (*mail.Message, map[string]string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not RFC 5322: %v", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q: %v", mt, err)
	}
	out := map[string]string{}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p) // the reader undoes quoted-printable
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		out[ct] = string(b)
	}
	return msg, out
}

func TestMessageBytes(t *testing.T) {
	m := sampleMessage()
	raw, err := m.Bytes(false)
	if err != nil {
		t.Fatal(err)
	}
	msg, body := parts(t, raw)
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subject != m.Subject || msg.Header.Get("Message-Id") != m.ID || msg.Header.Get("X-Opsdeck-Report") != "cfo" {
		t.Errorf("headers: %v", msg.Header)
	}
	if msg.Header.Get("Bcc") != "" {
		t.Error("a message for the wire carries a Bcc header")
	}
	if !strings.Contains(body["text/plain"], "Burn $7,036–$8,696") || !strings.Contains(body["text/html"], "<b>$7,036–$8,696</b>") {
		t.Errorf("parts: %q", body)
	}
	if to, err := msg.Header.AddressList("To"); err != nil || to[0].Address != "owner@example.com" || to[0].Name != "Casey Brooks" {
		t.Errorf("To: %v %v", to, err)
	}
	raw, _ = m.Bytes(true)
	if msg, _ := parts(t, raw); msg.Header.Get("Bcc") != "audit@example.com" {
		t.Error("the sender's copy lacks its Bcc header")
	}
}

func TestFileTransport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	ft := &FileTransport{Dir: dir}
	path, err := ft.Send(context.Background(), sampleMessage())
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(path) != dir || !strings.HasSuffix(path, ".eml") || !strings.Contains(path, "-cfo-") {
		t.Errorf("path %s", path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	msg, body := parts(t, raw)
	if msg.Header.Get("Bcc") != "audit@example.com" || body["text/html"] == "" {
		t.Errorf("file: %v", msg.Header)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("outbox directory mode %v, want 0700 (reports are private)", st.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files: a temporary file was left behind", len(entries))
	}
}

// A local stand-in for SES that answers each send from a script, to drive
// the error paths the emulator cannot produce.
func scriptedSES(t *testing.T, replies ...func(w http.ResponseWriter)) (*SESTransport, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1)) - 1
		w.Header().Set("Content-Type", "application/json")
		if n < len(replies) {
			replies[n](w)
			return
		}
		io.WriteString(w, `{"MessageId":"ok-1"}`)
	}))
	t.Cleanup(srv.Close)
	cfg := aws.Config{Region: "us-west-2", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}
	return NewSESTransport(cfg, srv.URL), &calls
}

func sesError(status int, code, message string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("X-Amzn-Errortype", code)
		w.WriteHeader(status)
		io.WriteString(w, `{"message":"`+message+`"}`)
	}
}

func TestSESErrorClassification(t *testing.T) {
	for _, tc := range []struct {
		name      string
		reply     func(w http.ResponseWriter)
		transient bool
		code      string
	}{
		{"throttled", sesError(429, "TooManyRequestsException", "Maximum sending rate exceeded."), true, "TooManyRequestsException"},
		{"server fault", sesError(500, "InternalFailure", "boom"), true, "InternalFailure"},
		{"unavailable", sesError(503, "ServiceUnavailable", "later"), true, "ServiceUnavailable"},
		{"rejected", sesError(400, "MessageRejected", "Email address is not verified."), false, "MessageRejected"},
		{"paused", sesError(400, "SendingPausedException", "Sending is paused for this account."), false, "SendingPausedException"},
		{"daily quota", sesError(400, "LimitExceededException", "Daily message quota exceeded."), false, "LimitExceededException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, _ := scriptedSES(t, tc.reply)
			_, err := tr.Send(context.Background(), sampleMessage())
			var se *SendError
			if !errors.As(err, &se) || se.Transient != tc.transient || se.Code != tc.code {
				t.Errorf("Send = %#v (%v), want code %s transient=%v", se, err, tc.code, tc.transient)
			}
		})
	}
	// The SDK's own retries are off: one call per Send, so attempts are ours.
	tr, calls := scriptedSES(t, sesError(500, "InternalFailure", "boom"))
	tr.Send(context.Background(), sampleMessage())
	if calls.Load() != 1 {
		t.Errorf("the SDK retried by itself: %d calls", calls.Load())
	}
	// And a refused connection is transient.
	dead := NewSESTransport(aws.Config{Region: "us-west-2", Credentials: credentials.NewStaticCredentialsProvider("A", "B", "")},
		"http://127.0.0.1:1")
	if _, err := dead.Send(context.Background(), sampleMessage()); !IsTransient(err) {
		t.Errorf("connection refused is not transient: %v", err)
	}
}
