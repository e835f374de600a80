package portfolio

// DefaultPhases are the checklist phases a new event starts with.
func DefaultPhases(kind string) []Phase {
	if kind == "charter" {
		return []Phase{{Name: "Pre-departure"}, {Name: "Boarding"}, {Name: "Underway"}, {Name: "Return and turnaround"}}
	}
	return []Phase{{Name: "Before"}, {Name: "During"}, {Name: "After"}}
}

// ItemInput is a checklist item's editable fields.
type ItemInput struct {
	Title        string
	RequiredRole AccessRole
	Mandatory    bool
	Note         string
}

// Validate checks an item's fields and makes an unmarked item crew's.
func (in *ItemInput) Validate() error {
	if err := checkText("item title", in.Title, true, 200); err != nil {
		return err
	}
	if in.RequiredRole == "" {
		in.RequiredRole = AccessCrew
	}
	if in.RequiredRole != AccessCaptain && in.RequiredRole != AccessCrew {
		return Errorf(EINVALID, "required role %q must be captain or crew", in.RequiredRole)
	}
	return checkText("note", in.Note, false, 1000)
}

// ValidatePhaseName checks the name of a checklist phase.
func ValidatePhaseName(name string) error { return checkText("phase name", name, true, 80) }

// Validate checks a phase and its items before they are written, making
// unmarked items crew's.
func (p *Phase) Validate() error {
	if err := ValidatePhaseName(p.Name); err != nil {
		return err
	}
	for i := range p.Items {
		if err := p.Items[i].Validate(); err != nil {
			return Errorf(EINVALID, "item %q: %s", p.Items[i].Title, ErrorMessage(err))
		}
	}
	return nil
}

// Validate checks an item and makes an unmarked one crew's.
func (it *ChecklistItem) Validate() error {
	in := ItemInput{Title: it.Title, RequiredRole: it.RequiredRole, Mandatory: it.Mandatory, Note: it.Note}
	if err := in.Validate(); err != nil {
		return err
	}
	it.RequiredRole = in.RequiredRole
	if it.DoneBy != 0 && it.DoneAt.IsZero() || it.ClaimedBy != 0 && it.ClaimedAt.IsZero() {
		return Errorf(EINVALID, "item %q: a claim or a tick needs its time", it.Title)
	}
	return nil
}

// Validate checks a crew member's role on an event.
func (c CrewMember) Validate() error {
	switch c.Role {
	case AccessCaptain, AccessCrew, AccessGuest:
		return nil
	}
	return Errorf(EINVALID, "crew role %q must be captain, crew or guest", c.Role)
}

// MaxNoteLength caps the note a crew member writes on an item.
const MaxNoteLength = 500

// ValidateItemNote checks a note written on an item from the crew page.
func ValidateItemNote(note string) error { return checkText("note", note, false, MaxNoteLength) }
