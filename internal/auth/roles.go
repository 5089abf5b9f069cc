package auth

import "fmt"

// Role is what a member may do in the organization.
type Role string

const (
	// Member reads and changes their own data and reads their own part
	// of the plan.
	Member Role = "member"
	// Coordinator also runs their collectives: members (aliases only),
	// sites, recipes, invites, coverage and shortfalls, urgent calls.
	Coordinator Role = "coordinator"
	// Organizer sees and changes everything: the catalog, all
	// collectives, the world, planning runs.
	Organizer Role = "organizer"
)

// ParseRole reads "member", "coordinator" or "organizer".
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case Member, Coordinator, Organizer:
		return r, nil
	}
	return "", fmt.Errorf("auth: unknown role %q (want member, coordinator or organizer)", s)
}

// Principal is who is making a request: a member, their highest role, and
// the collectives they coordinate. The zero Principal is anonymous.
type Principal struct {
	Member      string // the member's id; empty for anonymous
	Role        Role
	Coordinates []string // collective ids where the member is a coordinator
	// Editor reports whether the member is an editor of the newspaper
	// (named by an organizer); it is looked up only for the routes whose
	// action is Edit.
	Editor bool
	// Passkey reports whether this session was opened with a passkey;
	// coordinators and organizers must use one for what their role
	// allows beyond a member's.
	Passkey bool
}

// Anonymous reports whether no one is signed in.
func (p Principal) Anonymous() bool { return p.Member == "" }

// Action is something a request wants to do.
type Action int

const (
	// ReadSelf and WriteSelf: a member's own data, export and erasure.
	ReadSelf Action = iota
	WriteSelf
	// ReadCollective and WriteCollective: one collective's members,
	// sites, recipes, invites, coverage and shortfalls.
	ReadCollective
	WriteCollective
	// ReadAll and WriteAll: the catalog, every collective, the world and
	// planning runs.
	ReadAll
	WriteAll
	// Edit: the newspaper's editing, publishing articles and making
	// editions; editors and organizers.
	Edit
)

var actionNames = [...]string{"read own data", "change own data", "read a collective", "change a collective", "read everything", "change everything", "edit the newspaper"}

func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("action(%d)", int(a))
}

// Allow is the one place where roles are checked: it says whether p may
// do a, on collective when a concerns one (empty otherwise). A
// coordinator acts only on the collectives they coordinate, and only
// after signing in with a passkey; an organizer likewise needs a passkey
// for anything beyond a member's own data.
func Allow(p Principal, a Action, collective string) bool {
	if p.Anonymous() {
		return false
	}
	switch a {
	case ReadSelf, WriteSelf:
		return true
	case ReadCollective, WriteCollective:
		if !p.Passkey {
			return false
		}
		if p.Role == Organizer {
			return true
		}
		if p.Role != Coordinator || collective == "" {
			return false
		}
		for _, c := range p.Coordinates {
			if c == collective {
				return true
			}
		}
		return false
	case ReadAll, WriteAll:
		return p.Role == Organizer && p.Passkey
	case Edit:
		return (p.Editor || p.Role == Organizer) && p.Passkey
	}
	return false
}
