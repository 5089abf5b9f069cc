package web

var messagesEN = map[msgKey]string{
	msgNotFound:         "not found",
	msgInvalid:          "invalid request",
	msgForbidden:        "you may not do this",
	msgConflict:         "conflicts with the current state",
	msgUnavailable:      "the service is unavailable; try again later",
	msgInternal:         "internal error",
	msgUnauthenticated:  "sign in or send an API token",
	msgNoRoute:          "no such route",
	msgBadToken:         "the API token is malformed or unknown",
	msgBadWorld:         "the world is not valid",
	msgTooLarge:         "the request body is too large",
	msgMethodNotAllowed: "the route does not take this method",
	// Invites and coverage (invites.go, reports.go).
	msgInviteExpired: "the invite has expired",
	msgInviteUsedUp:  "the invite has been used as many times as it allows",
	msgInviteUnknown: "no invite has this code",
	msgAlreadyMember: "you are already a member of this collective",
	msgInviteRole:    "only organizers may make invites that grant the coordinator role",
	msgNoPlanDone:    "no planning run is done yet",
}
