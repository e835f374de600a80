package mail

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"opsdeck/portfolio"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Settings are the mail settings opsdeck reads, with what each is for.
var Settings = map[string]string{
	"OPSDECK_MAIL_TRANSPORT":        "auto (default), ses, smtp or file",
	"OPSDECK_MAIL_FROM":             "the verified sender address",
	"OPSDECK_MAIL_BCC":              "an audit copy of every message",
	"OPSDECK_ADMIN_EMAIL":           "where alerts about failed scheduled reports go",
	"OPSDECK_OUTBOX_DIR":            "where the file transport writes .eml files",
	"OPSDECK_SES_ENDPOINT":          "SES endpoint override (emulator, VPC endpoint)",
	"OPSDECK_SES_CONFIGURATION_SET": "SES configuration set",
	"OPSDECK_SES_TAGS":              "SES message tags, name=value,name=value",
	"OPSDECK_SES_RATE":              "messages a second when SES's own rate cannot be read",
	"OPSDECK_SMTP_HOST":             "SMTP server",
	"OPSDECK_SMTP_PORT":             "SMTP port (default 587)",
	"OPSDECK_SMTP_USERNAME":         "SMTP user",
	"OPSDECK_SMTP_PASSWORD":         "SMTP password",
	"OPSDECK_SMTP_CA_FILE":          "PEM file of CAs to trust for the SMTP server instead of the system's",
	"OPSDECK_SMTP_ALLOW_PLAINTEXT":  "allow an SMTP server without STARTTLS on loopback (tests only)",
}

// Lookup reads a setting ("" when unset).
type Lookup func(key string) string

// Setup is a chosen transport and the service configuration.
type Setup struct {
	Transport Transport
	Config    Config
	// Why says how the transport was chosen, for the CLI to print.
	Why string
}

// Configure chooses a transport from the settings: SMTP if a host is set,
// SES if AWS has a region and credentials, else .eml files in
// defaultOutbox, so nothing is ever silently dropped.
func Configure(ctx context.Context, get Lookup, defaultOutbox string) (Setup, error) {
	cfg := Config{From: get("OPSDECK_MAIL_FROM"), Bcc: get("OPSDECK_MAIL_BCC"), AdminEmail: get("OPSDECK_ADMIN_EMAIL")}
	if v := get("OPSDECK_SES_RATE"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r <= 0 || r > 1000 {
			return Setup{}, portfolio.Errorf(portfolio.EINVALID, "OPSDECK_SES_RATE %q must be a number of messages a second above 0", v)
		}
		cfg.Rate = r
	}
	choice := strings.ToLower(strings.TrimSpace(get("OPSDECK_MAIL_TRANSPORT")))
	if choice == "" {
		choice = "auto"
	}
	fileSetup := func(why string) (Setup, error) {
		dir := get("OPSDECK_OUTBOX_DIR")
		if dir == "" {
			dir = defaultOutbox
		}
		if cfg.From == "" {
			cfg.From = "opsdeck@example.com"
		}
		return Setup{Transport: &FileTransport{Dir: dir}, Config: cfg, Why: why}, nil
	}
	switch choice {
	case "file":
		return fileSetup("OPSDECK_MAIL_TRANSPORT=file")
	case "smtp":
		return smtpSetup(get, cfg)
	case "ses":
		awsCfg, err := loadAWS(ctx, get)
		if err != nil {
			return Setup{}, err
		}
		return sesSetup(get, cfg, awsCfg, "OPSDECK_MAIL_TRANSPORT=ses")
	case "auto":
		if get("OPSDECK_SMTP_HOST") != "" {
			return smtpSetup(get, cfg)
		}
		awsCfg, err := loadAWS(ctx, get)
		if err == nil {
			return sesSetup(get, cfg, awsCfg, "AWS region and credentials found")
		}
		return fileSetup("no SMTP host and no AWS credentials (" + err.Error() + ")")
	}
	return Setup{}, portfolio.Errorf(portfolio.EINVALID, "OPSDECK_MAIL_TRANSPORT %q must be auto, ses, smtp or file", choice)
}

func sesSetup(get Lookup, cfg Config, awsCfg aws.Config, why string) (Setup, error) {
	if cfg.From == "" {
		return Setup{}, portfolio.Errorf(portfolio.EINVALID, "set OPSDECK_MAIL_FROM to the SES-verified sender address")
	}
	t := NewSESTransport(awsCfg, get("OPSDECK_SES_ENDPOINT"))
	t.ConfigurationSet = get("OPSDECK_SES_CONFIGURATION_SET")
	if tags := get("OPSDECK_SES_TAGS"); tags != "" {
		t.Tags = map[string]string{}
		for _, pair := range strings.Split(tags, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok || k == "" {
				return Setup{}, portfolio.Errorf(portfolio.EINVALID, "OPSDECK_SES_TAGS entry %q must be name=value", pair)
			}
			t.Tags[k] = v
		}
	}
	return Setup{Transport: t, Config: cfg, Why: why + ", region " + awsCfg.Region}, nil
}

// loadAWS reads the SDK's default chain (environment, shared profiles, SSO,
// instance and task roles), letting keys set in the env file stand in for
// the environment. It fails fast when there is no region or no credentials.
func loadAWS(ctx context.Context, get Lookup) (aws.Config, error) {
	var opts []func(*awsconfig.LoadOptions) error
	region := get("AWS_REGION")
	if region == "" {
		region = get("AWS_DEFAULT_REGION")
	}
	if region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	}
	if id, secret := get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(id, secret, get("AWS_SESSION_TOKEN"))))
	}
	if p := get("AWS_PROFILE"); p != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(p))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, fmt.Errorf("AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return cfg, fmt.Errorf("no AWS region")
	}
	// The chain may end at the instance metadata service; on a machine
	// without one, do not let that hold a command up for long.
	rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(rctx); err != nil {
		return cfg, fmt.Errorf("no AWS credentials")
	}
	return cfg, nil
}

func smtpSetup(get Lookup, cfg Config) (Setup, error) {
	host := get("OPSDECK_SMTP_HOST")
	if host == "" {
		return Setup{}, portfolio.Errorf(portfolio.EINVALID, "OPSDECK_MAIL_TRANSPORT=smtp needs OPSDECK_SMTP_HOST")
	}
	if cfg.From == "" {
		return Setup{}, portfolio.Errorf(portfolio.EINVALID, "set OPSDECK_MAIL_FROM to the sender address")
	}
	port := 587
	if v := get("OPSDECK_SMTP_PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p <= 0 || p > 65535 {
			return Setup{}, portfolio.Errorf(portfolio.EINVALID, "OPSDECK_SMTP_PORT %q is not a port number", v)
		}
		port = p
	}
	t := &SMTPTransport{Host: host, Port: port, Username: get("OPSDECK_SMTP_USERNAME"), Password: get("OPSDECK_SMTP_PASSWORD")}
	if f := get("OPSDECK_SMTP_CA_FILE"); f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			return Setup{}, fmt.Errorf("OPSDECK_SMTP_CA_FILE: %w", err)
		}
		t.RootCAs = x509.NewCertPool()
		if !t.RootCAs.AppendCertsFromPEM(pem) {
			return Setup{}, portfolio.Errorf(portfolio.EINVALID, "OPSDECK_SMTP_CA_FILE %s holds no PEM certificates", f)
		}
	}
	if get("OPSDECK_SMTP_ALLOW_PLAINTEXT") == "1" {
		if host != "127.0.0.1" && host != "localhost" && host != "::1" {
			return Setup{}, portfolio.Errorf(portfolio.EINVALID, "OPSDECK_SMTP_ALLOW_PLAINTEXT is for a loopback server only")
		}
		t.AllowPlain = true
	}
	return Setup{Transport: t, Config: cfg, Why: "OPSDECK_SMTP_HOST is set"}, nil
}
