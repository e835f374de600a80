package portfolio

// ChannelKind groups marketing channels.
type ChannelKind string

// Channel kinds.
const (
	ChannelEmail    ChannelKind = "email"
	ChannelOTA      ChannelKind = "ota" // online travel agencies: Sailo, GetMyBoat, Viator...
	ChannelSocial   ChannelKind = "social"
	ChannelSEO      ChannelKind = "seo"
	ChannelWeb      ChannelKind = "web"
	ChannelReferral ChannelKind = "referral"
	ChannelAds      ChannelKind = "ads"
)

// ChannelKinds lists the kinds in the order reports show them.
var ChannelKinds = []ChannelKind{ChannelEmail, ChannelOTA, ChannelSocial, ChannelSEO, ChannelWeb, ChannelReferral, ChannelAds}

// ChannelStatus is how far a channel is from bringing in business.
type ChannelStatus string

// Channel statuses.
const (
	ChannelNone       ChannelStatus = "none"
	ChannelPlanned    ChannelStatus = "planned"
	ChannelInProgress ChannelStatus = "in_progress"
	ChannelLive       ChannelStatus = "live"
	ChannelPaused     ChannelStatus = "paused"
)

// Channel is one way an entity reaches customers.
type Channel struct {
	ID           int64         `json:"id"`
	EntityID     int64         `json:"entity_id"`
	EntityCode   string        `json:"entity"`
	Name         string        `json:"name"`
	Kind         ChannelKind   `json:"kind"`
	Status       ChannelStatus `json:"status"`
	AudienceSize *int64        `json:"audience_size"` // nil: unknown
	Sequence     *int          `json:"sequence"`      // planned launch order within its kind
	ValueLow     Money         `json:"value_low_cents"`
	ValueHigh    Money         `json:"value_high_cents"`
	Notes        string        `json:"notes"`
	Tasks        []ChannelTask `json:"tasks"`
}

// ChannelTask is a step on a channel's roadmap (the local-SEO plan, say).
type ChannelTask struct {
	ID         int64  `json:"id"`
	Key        string `json:"key"`
	ChannelID  int64  `json:"channel_id"`
	ChannelKey string `json:"channel,omitempty"`
	Position   int    `json:"position"`
	Title      string `json:"title"`
	DueOn      Date   `json:"due_on"`
	DoneOn     Date   `json:"done_on"`
}

// Validate checks c before it is written.
func (c *Channel) Validate() error {
	if err := checkText("channel name", c.Name, true, 80); err != nil {
		return err
	}
	known := false
	for _, k := range ChannelKinds {
		known = known || k == c.Kind
	}
	if !known {
		return Errorf(EINVALID, "channel kind %q is not one of email, ota, social, seo, web, referral, ads", c.Kind)
	}
	switch c.Status {
	case ChannelNone, ChannelPlanned, ChannelInProgress, ChannelLive, ChannelPaused:
	default:
		return Errorf(EINVALID, "channel status %q must be none, planned, in_progress, live or paused", c.Status)
	}
	if c.AudienceSize != nil && *c.AudienceSize < 0 {
		return Errorf(EINVALID, "audience size must not be negative")
	}
	if c.Sequence != nil && *c.Sequence <= 0 {
		return Errorf(EINVALID, "sequence must be 1 or more")
	}
	if c.ValueLow < 0 || c.ValueHigh < c.ValueLow {
		return Errorf(EINVALID, "channel %s: need 0 <= low value <= high value", c.Name)
	}
	return nil
}

// Validate checks t before it is written.
func (t *ChannelTask) Validate() error { return checkText("task title", t.Title, true, 200) }
