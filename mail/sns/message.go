// Package sns reads and verifies the messages Amazon SNS posts to an
// HTTP(S) subscription, and the SES events a notification carries.
//
// A message is trusted only when all of these hold: its SigningCertURL is
// https on sns.<region>.amazonaws.com (the region of its TopicArn), the
// certificate found there chains to the verifier's trust roots, the
// signature (SignatureVersion 1, SHA1withRSA, or 2, SHA256withRSA) over
// the canonical string SNS defines for the message's type matches, and its
// Timestamp is neither more than an hour old nor more than five minutes
// ahead. Which topics are welcome, and whether a MessageId was seen before,
// are the caller's to decide (the crew server's POST /hooks/ses).
//
// The package imports nothing of opsdeck.
package sns

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// The three types of message SNS posts to an HTTP(S) endpoint.
const (
	TypeSubscriptionConfirmation = "SubscriptionConfirmation"
	TypeNotification             = "Notification"
	TypeUnsubscribeConfirmation  = "UnsubscribeConfirmation"
)

// Why a message is not taken. Every error from Parse, Verify and Confirm
// wraps one of these; anything that is not ErrMalformed or ErrUnavailable
// is a refusal (answer 403).
var (
	// ErrMalformed: the body is not an SNS message at all.
	ErrMalformed = errors.New("not an SNS message")
	// ErrCertURL: the signing certificate (or subscribe) URL is not
	// https on the topic's own SNS host.
	ErrCertURL = errors.New("SNS certificate URL refused")
	// ErrCertificate: the certificate could not be read, or does not
	// chain to a trusted root, or is out of its validity.
	ErrCertificate = errors.New("SNS signing certificate refused")
	// ErrSignature: no signature, an unknown SignatureVersion, or a
	// signature that does not match the message.
	ErrSignature = errors.New("SNS signature refused")
	// ErrTimestamp: the message is too old, or from the future.
	ErrTimestamp = errors.New("SNS timestamp refused")
	// ErrUnavailable: the certificate or the subscription could not be
	// fetched for a reason that may pass (network, AWS 5xx); try later.
	ErrUnavailable = errors.New("SNS temporarily unreachable")
)

// Message is one SNS HTTP(S) message as posted. Subject is nil when the
// message has none, which is not the same as an empty subject to the
// signature.
type Message struct {
	Type             string  `json:"Type"`
	MessageID        string  `json:"MessageId"`
	Token            string  `json:"Token,omitempty"`
	TopicARN         string  `json:"TopicArn"`
	Subject          *string `json:"Subject,omitempty"`
	Message          string  `json:"Message"`
	Timestamp        string  `json:"Timestamp"`
	SignatureVersion string  `json:"SignatureVersion"`
	Signature        string  `json:"Signature"`
	SigningCertURL   string  `json:"SigningCertURL"`
	SubscribeURL     string  `json:"SubscribeURL,omitempty"`
	UnsubscribeURL   string  `json:"UnsubscribeURL,omitempty"`
}

// Parse reads a posted body. It checks the shape (a known Type and the
// fields that type needs), not the signature: see Verifier.Verify.
func Parse(body []byte) (*Message, error) {
	var m Message
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: more than one JSON value", ErrMalformed)
	}
	switch m.Type {
	case TypeNotification:
	case TypeSubscriptionConfirmation, TypeUnsubscribeConfirmation:
		if m.Token == "" || m.SubscribeURL == "" {
			return nil, fmt.Errorf("%w: a %s needs a Token and a SubscribeURL", ErrMalformed, m.Type)
		}
	case "":
		return nil, fmt.Errorf("%w: no Type", ErrMalformed)
	default:
		return nil, fmt.Errorf("%w: unknown Type %q", ErrMalformed, m.Type)
	}
	for name, v := range map[string]string{"MessageId": m.MessageID, "TopicArn": m.TopicARN, "Timestamp": m.Timestamp} {
		if v == "" {
			return nil, fmt.Errorf("%w: no %s", ErrMalformed, name)
		}
	}
	return &m, nil
}

// StringToSign is the canonical text SNS signs for the message: each
// field's name and value on lines of their own, in the documented order
// for the message's type (Subject only on a notification that has one).
func (m *Message) StringToSign() (string, error) {
	type field struct{ name, value string }
	var fields []field
	switch m.Type {
	case TypeNotification:
		fields = append(fields, field{"Message", m.Message}, field{"MessageId", m.MessageID})
		if m.Subject != nil {
			fields = append(fields, field{"Subject", *m.Subject})
		}
		fields = append(fields, field{"Timestamp", m.Timestamp}, field{"TopicArn", m.TopicARN}, field{"Type", m.Type})
	case TypeSubscriptionConfirmation, TypeUnsubscribeConfirmation:
		fields = []field{{"Message", m.Message}, {"MessageId", m.MessageID}, {"SubscribeURL", m.SubscribeURL},
			{"Timestamp", m.Timestamp}, {"Token", m.Token}, {"TopicArn", m.TopicARN}, {"Type", m.Type}}
	default:
		return "", fmt.Errorf("%w: unknown Type %q", ErrMalformed, m.Type)
	}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(f.name)
		b.WriteByte('\n')
		b.WriteString(f.value)
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// TopicARN is an SNS topic's ARN, arn:PARTITION:sns:REGION:ACCOUNT:NAME.
type TopicARN struct {
	Partition, Region, Account, Name string
}

var (
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	topicPattern   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}(\.fifo)?$`)
)

// ParseTopicARN reads a topic ARN of one of the partitions whose SNS host
// is known (aws, aws-us-gov, aws-cn).
func ParseTopicARN(s string) (TopicARN, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sns" {
		return TopicARN{}, fmt.Errorf("%q is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)", s)
	}
	a := TopicARN{Partition: parts[1], Region: parts[3], Account: parts[4], Name: parts[5]}
	switch a.Partition {
	case "aws", "aws-us-gov", "aws-cn":
	default:
		return TopicARN{}, fmt.Errorf("SNS topic ARN %q: unknown partition %q", s, a.Partition)
	}
	if !regionPattern.MatchString(a.Region) || (a.Partition == "aws-cn") != strings.HasPrefix(a.Region, "cn-") {
		return TopicARN{}, fmt.Errorf("SNS topic ARN %q: %q is not a region of partition %s", s, a.Region, a.Partition)
	}
	if !accountPattern.MatchString(a.Account) {
		return TopicARN{}, fmt.Errorf("SNS topic ARN %q: account %q is not 12 digits", s, a.Account)
	}
	if !topicPattern.MatchString(a.Name) {
		return TopicARN{}, fmt.Errorf("SNS topic ARN %q: %q is not a topic name", s, a.Name)
	}
	return a, nil
}

// String is the ARN.
func (a TopicARN) String() string {
	return "arn:" + a.Partition + ":sns:" + a.Region + ":" + a.Account + ":" + a.Name
}

// Host is the topic's SNS endpoint: sns.REGION.amazonaws.com, or
// sns.REGION.amazonaws.com.cn in China. The signing certificate and the
// subscribe URL of the topic's messages must be on it.
func (a TopicARN) Host() string {
	if a.Partition == "aws-cn" {
		return "sns." + a.Region + ".amazonaws.com.cn"
	}
	return "sns." + a.Region + ".amazonaws.com"
}

// ParseTopics reads a comma-separated list of topic ARNs (a setting such
// as OPSDECK_SES_EVENTS_TOPIC_ARN), dropping blanks and repeats.
func ParseTopics(list string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] {
			continue
		}
		if _, err := ParseTopicARN(s); err != nil {
			return nil, err
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, nil
}
