package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/adrg/xdg"

	"opsdeck/internal/envfile"
	"opsdeck/mail"
)

// defaultEnvFile is read from the working directory when present.
const defaultEnvFile = "opsdeck.env"

// knownSettings are the OPSDECK_* variables opsdeck reads; any other
// OPSDECK_ name in an env file is almost certainly a typo, and is reported.
var knownSettings = map[string]string{
	"OPSDECK_DB":        "database file",
	"OPSDECK_ENV_FILE":  "env file to read settings from",
	"OPSDECK_TEMPLATES": "directory of report template overrides",
	"OPSDECK_THEME":     "console colours: dark or light (default: ask the terminal)",
	"OPSDECK_TIME_ZONE": "IANA time zone for new schedules",
	// The crew web server.
	"OPSDECK_WEB_ADDR":            "crew server listen address",
	"OPSDECK_BASE_URL":            "URL crew use to reach the crew server",
	"OPSDECK_TLS_CERT":            "crew server TLS certificate file",
	"OPSDECK_TLS_KEY":             "crew server TLS key file",
	"OPSDECK_JWT_SECRET":          "crew token signing key (instead of the key file)",
	"OPSDECK_JWT_PREVIOUS_SECRET": "previous crew token signing key, still accepted",
	"OPSDECK_TRUSTED_PROXIES":     "reverse proxies (CIDRs) whose X-Forwarded-For the crew server believes; default loopback",
	"OPSDECK_HEALTH_TOKEN":        "bearer token that gets /healthz's details from anywhere",
	// Off-box replication (serve --replica, restore, replica status).
	"OPSDECK_REPLICA_URL":           "replica to replicate to and restore from: file:///PATH or s3://BUCKET/PATH",
	"OPSDECK_REPLICA_ENDPOINT":      "endpoint of an S3-compatible service (R2, B2, MinIO) for an s3:// replica",
	"OPSDECK_REPLICA_SYNC_INTERVAL": "how often changes go to the replica (default 10s; each sync with changes is a PUT)",
	// SES's delivery, bounce and complaint events, posted by SNS to the
	// crew server's POST /hooks/ses.
	"OPSDECK_SES_EVENTS_TOPIC_ARN": "SNS topic ARNs (comma-separated) whose SES events POST /hooks/ses takes",
}

// config resolves settings with the precedence flags > environment > env
// file > defaults.
type config struct {
	lookupEnv func(string) (string, bool)
	file      map[string]string
	filePath  string
	// flags holds settings given on the command line, by variable name.
	flags map[string]string
}

// loadConfig reads the env file chosen by --env-file, OPSDECK_ENV_FILE or
// the default opsdeck.env (only the default may be absent). The file's
// syntax is envfile's; a file that does not parse is a usage mistake, and
// its error never shows a value (they are often secrets, and stderr may be
// the journal).
func loadConfig(lookupEnv func(string) (string, bool), flags map[string]string) (*config, []string, error) {
	c := &config{lookupEnv: lookupEnv, flags: flags, file: map[string]string{}}
	path, explicit := flags["OPSDECK_ENV_FILE"], true
	if path == "" {
		path, explicit = lookupEnv("OPSDECK_ENV_FILE")
	}
	if !explicit || path == "" {
		path, explicit = defaultEnvFile, false
	}
	vars, err := envfile.Read(path)
	var syntax *envfile.SyntaxError
	switch {
	case err == nil:
	case errors.Is(err, os.ErrNotExist) && !explicit:
		return c, nil, nil
	case errors.Is(err, os.ErrNotExist):
		return nil, nil, usagef("env file %s does not exist", path)
	case errors.As(err, &syntax):
		return nil, nil, usagef("env file %w", err)
	default:
		return nil, nil, fmt.Errorf("env file %s: %w", path, err)
	}
	c.file, c.filePath = vars, path
	var warnings []string
	for key := range vars {
		if strings.HasPrefix(key, "OPSDECK_") && knownSettings[key] == "" && mail.Settings[key] == "" {
			warnings = append(warnings, fmt.Sprintf("%s: unknown setting %s (ignored)", path, key))
		}
	}
	sort.Strings(warnings)
	return c, warnings, nil
}

// get returns a setting and where it came from ("" if unset).
func (c *config) get(key string) (value, source string) {
	if v := c.flags[key]; v != "" {
		return v, "flag"
	}
	if v, ok := c.lookupEnv(key); ok && v != "" {
		return v, "environment"
	}
	if v := c.file[key]; v != "" {
		return v, c.filePath
	}
	return "", ""
}

// dbPath is the database file to use, and whether it is the default
// (whose directory opsdeck may create).
func (c *config) dbPath() (path string, isDefault bool, err error) {
	if p, _ := c.get("OPSDECK_DB"); p != "" {
		return p, false, nil
	}
	dataHome := xdg.DataHome
	// Read XDG_DATA_HOME through our own lookup so an injected environment
	// (tests, a service manager) wins over the one xdg saw at start-up.
	if v, ok := c.lookupEnv("XDG_DATA_HOME"); ok && filepath.IsAbs(v) {
		dataHome = v
	}
	if dataHome == "" {
		return "", false, errors.New("cannot find a data directory: set XDG_DATA_HOME or give --db")
	}
	return filepath.Join(dataHome, "opsdeck", "opsdeck.db"), true, nil
}
