// Package doctor checks a setup live: it plans one task per check and
// target from a validated spec (the hub, its API, the provider, each
// service), runs them concurrently with timeouts, skips a task whose
// prerequisite did not pass, and returns every outcome as a
// finding.Result for pkg/report to write.
//
// A check's code lives in the file of its family (reach.go, tls.go,
// oidc.go, ...); each family adds its tasks to a Plan from a planX
// function, and its checks to the catalogue with Register at init.
package doctor
