package mail

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
)

// SESTransport sends through Amazon SES v2.
type SESTransport struct {
	Client *sesv2.Client
	// ConfigurationSet, if set, names the SES configuration set (event
	// publishing, dedicated IPs).
	ConfigurationSet string
	// Tags are message tags for SES event publishing.
	Tags map[string]string
}

// NewSESTransport builds a client from an AWS config; endpoint, if set,
// overrides SES's (the local emulator, a VPC endpoint). The SDK's own
// retries are off: the outbox worker retries, and records every attempt.
func NewSESTransport(cfg aws.Config, endpoint string) *SESTransport {
	client := sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		o.Retryer = aws.NopRetryer{}
	})
	return &SESTransport{Client: client}
}

// Name describes the transport.
func (s *SESTransport) Name() string { return "ses" }

// Send sends m as a simple (SES-assembled) email with its text and HTML
// parts, To and BCC destinations, and the opsdeck headers.
func (s *SESTransport) Send(ctx context.Context, m *Message) (string, error) {
	headers := []types.MessageHeader{{Name: aws.String("X-Opsdeck-Message-Id"), Value: aws.String(m.ID)}}
	for k, v := range m.Headers {
		headers = append(headers, types.MessageHeader{Name: aws.String(k), Value: aws.String(v)})
	}
	body := &types.Body{Text: &types.Content{Data: aws.String(m.Text), Charset: aws.String("UTF-8")}}
	if m.HTML != "" {
		body.Html = &types.Content{Data: aws.String(m.HTML), Charset: aws.String("UTF-8")}
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.From),
		Destination:      &types.Destination{ToAddresses: m.To, BccAddresses: m.Bcc},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(m.Subject), Charset: aws.String("UTF-8")},
			Body:    body,
			Headers: headers,
		}},
	}
	if s.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.ConfigurationSet)
	}
	for k, v := range s.Tags {
		in.EmailTags = append(in.EmailTags, types.MessageTag{Name: aws.String(k), Value: aws.String(v)})
	}
	out, err := s.Client.SendEmail(ctx, in)
	if err != nil {
		return "", classifySES(err)
	}
	return aws.ToString(out.MessageId), nil
}

// Quota reads the account's sending limits.
func (s *SESTransport) Quota(ctx context.Context) (Quota, error) {
	out, err := s.Client.GetAccount(ctx, &sesv2.GetAccountInput{})
	if err != nil {
		return Quota{}, fmt.Errorf("read the SES sending quota: %w", err)
	}
	if out.SendQuota == nil {
		return Quota{}, errors.New("SES returned no sending quota")
	}
	return Quota{MaxSendRate: out.SendQuota.MaxSendRate, Max24HourSend: out.SendQuota.Max24HourSend,
		SentLast24Hours: out.SendQuota.SentLast24Hours}, nil
}

// permanentSES are the SES errors a retry cannot fix: the message, an
// address, the sender or the account must change first.
var permanentSES = map[string]bool{
	"MessageRejected": true, "MailFromDomainNotVerifiedException": true, "AccountSuspendedException": true,
	"SendingPausedException": true, "BadRequestException": true, "NotFoundException": true,
	"ValidationException": true, "AccessDeniedException": true, "UnrecognizedClientException": true,
	"InvalidClientTokenId": true, "SignatureDoesNotMatch": true,
}

// classifySES sorts an SES error into transient (throttling, server
// faults, the network) and permanent (everything SES rejected on merit).
func classifySES(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		code := api.ErrorCode()
		msg := errors.New(api.ErrorMessage())
		switch {
		case code == "TooManyRequestsException" || code == "Throttling" || code == "ThrottlingException":
			return transient(code, msg)
		case code == "LimitExceededException":
			// The daily quota: retrying today will not help, and the batch
			// check should have refused it.
			return permanent(code, msg)
		case permanentSES[code]:
			return permanent(code, msg)
		case api.ErrorFault() == smithy.FaultServer:
			return transient(code, msg)
		}
		var re *awshttp.ResponseError
		if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
			return transient(code, msg)
		}
		return permanent(code, msg)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && (re.HTTPStatusCode() >= 500 || re.HTTPStatusCode() == 429) {
		return transient(fmt.Sprintf("HTTP%d", re.HTTPStatusCode()), err)
	}
	// A connection that was never made delivered nothing; one that broke
	// or timed out after the request went may have been taken by SES.
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return unreachable("NetworkError", err)
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return cutOff("NetworkError", err)
}
