package cli

var genMessages = map[msgKey][2]string{}
