package app

import (
	"os"
	"strings"
	"testing"
)

func TestReaderPrompter(t *testing.T) {
	tests := []struct {
		name, input      string
		wantUID, wantSec string
		wantErr          string
	}{
		{name: "two lines", input: "uid-1\nsecret-1\n", wantUID: "uid-1", wantSec: "secret-1"},
		{name: "CRLF and blanks around", input: "  uid-1 \r\nsecret-1\r\n", wantUID: "uid-1", wantSec: "secret-1"},
		{name: "no newline at the end", input: "uid-1\nsecret-1", wantUID: "uid-1", wantSec: "secret-1"},
		{name: "input ends before the secret", input: "uid-1\n", wantUID: "uid-1", wantErr: `no answer for "Secret": standard input ended`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			p := NewPrompter(strings.NewReader(tt.input), &out)
			uid, err := p.Line("UID")
			if err != nil || uid != tt.wantUID {
				t.Fatalf("Line = %q, %v; want %q", uid, err, tt.wantUID)
			}
			sec, err := p.Secret("Secret")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Secret: %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || sec != tt.wantSec {
				t.Fatalf("Secret = %q, %v; want %q", sec, err, tt.wantSec)
			}
			if got := out.String(); got != "UID: \nSecret: \n" {
				t.Errorf("labels: %q", got)
			}
		})
	}
}

// A pipe is a file but no terminal: NewPrompter reads it line by line.
func TestNewPrompterOnAPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		w.WriteString("uid-2\nsecret-2\n")
		w.Close()
	}()
	p := NewPrompter(r, nil)
	if _, ok := p.(*readerPrompter); !ok {
		t.Fatalf("NewPrompter on a pipe is a %T, want the reader prompter", p)
	}
	uid, err1 := p.Line("UID")
	sec, err2 := p.Secret("Secret")
	if uid != "uid-2" || sec != "secret-2" || err1 != nil || err2 != nil {
		t.Errorf("got %q, %q (%v, %v)", uid, sec, err1, err2)
	}
}
