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

	msgTooManyRequests: "too many attempts; wait a few minutes and try again",
	msgCodeWrong:       "the code is wrong or has expired; ask for a new one",
	msgBadCSRF:         "the X-CSRF-Token header is missing or wrong; reload the page",
	msgNoEmail:         "sign-in by email is not set up on this server",
	msgBadEmail:        "email: not an email address",
	msgNotJSON:         "send the request body as application/json",
	msgOtherOrigin:     "the request comes from another site",
	msgNoPasskeys:      "passkeys are not available: the server's public URL must be a domain name",
	msgPasskeyRefused:  "the passkey was not accepted",
	msgCeremonyUnknown: "the passkey request is unknown or expired; start again",
}
