package valuesdoc

import "gopkg.in/yaml.v3"

// layout is how a file indents, so that inserted lines look like the
// lines around them.
type layout struct {
	step int // spaces a nested mapping adds
	// seqIndented: a block sequence under a key is indented by step
	// ("key:\n  - a"), rather than written at the key's column ("key:\n- a").
	seqIndented bool
}

// detectLayout takes the first nested block mapping and the first block
// sequence under a key as the file's habit; 2 and indented when there are
// none, as the chart's own values.yaml is written.
func detectLayout(root *yaml.Node) layout {
	l := layout{}
	foundStep, foundSeq := false, false
	var walk func(m *yaml.Node, depth int)
	walk = func(m *yaml.Node, depth int) {
		if m == nil || m.Kind != yaml.MappingNode || m.Style&yaml.FlowStyle != 0 || depth > 100 || foundStep && foundSeq {
			return
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			switch {
			case v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 && !foundStep:
				if s := v.Content[0].Column - k.Column; s > 0 && v.Line > k.Line {
					l.step, foundStep = s, true
				}
			case v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 && !foundSeq && v.Line > k.Line:
				// A sequence node starts at its first dash.
				l.seqIndented, foundSeq = v.Column > k.Column, true
			}
			walk(v, depth+1)
		}
	}
	walk(root, 0)
	if !foundStep {
		l.step = 2
	}
	if !foundSeq {
		l.seqIndented = true
	}
	return l
}
