// Package valuesdoc reads Helm values files with the position of every
// value, merges several as helm -f a -f b does, and edits them by splicing
// changes into the original text, so that every byte outside an edit stays
// as it was.
//
// How helm reads a values file, which this package follows: helm parses
// with sigs.k8s.io/yaml, that is go.yaml.in/yaml/v2 into plain maps and then
// JSON. Only the first YAML document counts, even when it is empty (a
// comment-only preamble before the first --- is not a document); later
// documents are never read, not even for syntax. A key written twice is not
// an error: the last one wins. Merge keys (<<) apply in the order they are
// written, so a key written before a << is overridden by the merged
// mapping, and of a list of merged mappings the first wins.
package valuesdoc
