package web

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/yuin/goldmark"
	gmhtml "github.com/yuin/goldmark/renderer/html"

	"github.com/commune-org/commune/internal/store"
)

// xssPayloads reads testdata/xss/payloads.txt: payloads separated by
// lines of "%%", after a comment.
func xssPayloads(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("testdata/xss/payloads.txt")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(string(data), "\n%%\n")
	var out []string
	for _, p := range parts[1:] {
		if p = strings.TrimRight(p, "\n"); strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	if len(out) < 50 {
		t.Fatalf("got %d payloads, want at least 50", len(out))
	}
	return out
}

// publishPayloads publishes each payload as an article, its title the
// payload's first line, and returns their ids in order.
func publishPayloads(t *testing.T, st *store.Store, payloads []string) []string {
	t.Helper()
	ctx := context.Background()
	m, err := st.CreateMember(ctx, store.Member{Alias: "mallory", Language: "en", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range payloads {
		title, _, _ := strings.Cut(p, "\n")
		if strings.TrimSpace(title) == "" {
			title = "payload"
		}
		a, err := st.CreateArticle(ctx, store.Article{Author: m.ID, Language: "en", Title: title, Body: p})
		if err != nil {
			t.Fatalf("payload %q: %v", p, err)
		}
		for _, to := range []store.ArticleState{store.Review, store.Published} {
			if _, err := st.SetArticleState(ctx, a.ID, to); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, a.ID)
	}
	return ids
}

// articleElements are the elements an article's HTML may hold, with
// the attributes each may carry.
var articleElements = map[string][]string{
	"p": nil, "br": nil, "hr": nil, "h1": nil, "h2": nil, "h3": nil, "h4": nil, "h5": nil, "h6": nil,
	"em": nil, "strong": nil, "del": nil, "code": nil, "pre": nil, "blockquote": nil,
	"ul": nil, "ol": {"start"}, "li": nil, "table": nil, "thead": nil, "tbody": nil, "tr": nil,
	"th": {"align"}, "td": {"align"},
	"a":   {"href", "title", "rel", "target"},
	"img": {"src", "alt", "title"},
}

// articleProblems lists every construct of the sanitized HTML of an
// article that could run script, load from elsewhere or style the page.
func articleProblems(what, frag string) []string {
	var bad []string
	errorf := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	nodes, err := html.ParseFragment(strings.NewReader(frag), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return []string{what + ": parse: " + err.Error()}
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			allowed, ok := articleElements[n.Data]
			if !ok || n.Namespace != "" {
				errorf("%s: element <%s> (namespace %q) in %q", what, n.Data, n.Namespace, frag)
			}
			for _, a := range n.Attr {
				if !strings.Contains(" "+strings.Join(allowed, " ")+" ", " "+a.Key+" ") || a.Namespace != "" {
					errorf("%s: attribute %s on <%s> in %q", what, a.Key, n.Data, frag)
					continue
				}
				if p := urlProblem(n.Data, a.Key, a.Val); p != "" {
					errorf("%s: %s", what, p)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return bad
}

// urlProblem says what is wrong with a link's or an image's address:
// links go to http, https and mailto or within the site, images come
// from the site only.
func urlProblem(elem, attr, val string) string {
	if attr != "href" && attr != "src" {
		return ""
	}
	u, err := url.Parse(val)
	switch {
	case err != nil:
		return fmt.Sprintf("<%s %s=%q> does not parse", elem, attr, val)
	case attr == "src" && (!strings.HasPrefix(val, "/") || strings.HasPrefix(val, "//") || u.Scheme != ""):
		return fmt.Sprintf("image from elsewhere: %q", val)
	case u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto":
		return fmt.Sprintf("<%s %s=%q>: scheme %q", elem, attr, val, u.Scheme)
	case strings.ContainsAny(val, "\x00\t\n\r"):
		return fmt.Sprintf("<%s %s=%q>: control characters", elem, attr, val)
	}
	return ""
}

// TestXSSSanitized (issue 7, acceptance item 3, in Go): each payload of
// testdata/xss, published as an article, comes out of the renderer with
// nothing executable, and the article's page, list, print view and
// feed carry no script but the site's own, no event handler and no
// javascript: URL anywhere.
func TestXSSSanitized(t *testing.T) {
	payloads := xssPayloads(t)
	for i, p := range payloads {
		for _, bad := range articleProblems("payload "+strconv.Itoa(i), string(renderArticle(p))) {
			t.Error(bad)
		}
	}
	e := newEnv(t)
	ids := publishPayloads(t, e.store, payloads)
	ed, err := e.store.CreateEdition(context.Background(), store.Edition{Number: 1, Title: "<script>alert(1)</script>", Date: "2027-05-01", Articles: ids})
	if err != nil {
		t.Fatal(err)
	}
	pages := []string{"/news", "/news/editions", "/news/editions/" + ed.ID + "/print"}
	for _, id := range ids {
		pages = append(pages, "/news/"+id)
	}
	for _, p := range pages {
		r := e.do(t, "GET", p, "", "en", nil).want(t, p, 200)
		for _, bad := range pageProblems(p, r.body) {
			t.Error(bad)
		}
	}
	// The feed: its content, unescaped, is sanitized HTML too.
	for _, lang := range []string{"en", "es"} {
		r := e.do(t, "GET", "/feeds/"+lang+".atom", "", "", nil).want(t, "feed", 200)
		if bytes.Contains(bytes.ToLower(r.body), []byte("<script")) {
			t.Errorf("feed %s holds a raw <script", lang)
		}
	}
}

// checkPage checks a whole page: scripts only the site's own, by src;
// no event handler attribute, no style attribute, no javascript: or
// data: URL; nothing that embeds, frames, refreshes or rebases; and the
// article bodies hold only what articles may.
func pageProblems(what string, page []byte) []string {
	var bad []string
	errorf := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return []string{what + ": parse: " + err.Error()}
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script":
				if src := attr(n, "src"); !strings.HasPrefix(src, "/static/") || n.FirstChild != nil {
					errorf("%s: a script not the site's own: src %q", what, src)
				}
			case "iframe", "frame", "object", "embed", "base", "svg", "math", "style", "applet":
				errorf("%s: element <%s>", what, n.Data)
			case "meta":
				if attr(n, "http-equiv") != "" {
					errorf("%s: <meta http-equiv=%q>", what, attr(n, "http-equiv"))
				}
			case "div":
				if strings.Contains(" "+attr(n, "class")+" ", " news-body ") {
					var b bytes.Buffer
					for c := n.FirstChild; c != nil; c = c.NextSibling {
						html.Render(&b, c)
					}
					bad = append(bad, articleProblems(what, b.String())...)
				}
			}
			for _, a := range n.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				switch {
				case strings.HasPrefix(a.Key, "on"):
					errorf("%s: event handler %s=%q on <%s>", what, a.Key, a.Val, n.Data)
				case a.Key == "style":
					errorf("%s: style=%q on <%s>", what, a.Val, n.Data)
				case (a.Key == "href" || a.Key == "src" || a.Key == "action" || a.Key == "formaction") &&
					(strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") || strings.HasPrefix(v, "vbscript:")):
					errorf("%s: %s=%q on <%s>", what, a.Key, a.Val, n.Data)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return bad
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// TestXSSSanitizerAlone: bluemonday holds by itself. The payloads are
// rendered by goldmark with raw HTML and every link destination let
// through (its unsafe mode), so that the policy alone must stop them.
func TestXSSSanitizerAlone(t *testing.T) {
	unsafe := goldmark.New(goldmark.WithRendererOptions(gmhtml.WithUnsafe()))
	for i, p := range xssPayloads(t) {
		var raw bytes.Buffer
		if err := unsafe.Convert([]byte(p), &raw); err != nil {
			t.Fatal(err)
		}
		for _, bad := range articleProblems("payload "+strconv.Itoa(i)+" (unsafe goldmark)", newsPolicy.Sanitize(raw.String())) {
			t.Error(bad)
		}
	}
}

// TestXSSCheckersFail: the checkers above find what they look for, so
// that TestXSSSanitized passing means something.
func TestXSSCheckersFail(t *testing.T) {
	for _, frag := range []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror=alert(1)>`,
		`<img src="/a.png" onerror="alert(1)">`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href="data:text/html,x">x</a>`,
		`<img src="https://evil.example/t.png">`,
		`<img src="//evil.example/t.png">`,
		`<p style="color:red">x</p>`,
		`<svg onload=alert(1)></svg>`,
		`<iframe src="/"></iframe>`,
		`<p id="x">x</p>`,
	} {
		if len(articleProblems("known bad", frag)) == 0 {
			t.Errorf("articleProblems finds nothing in %q", frag)
		}
	}
	for _, page := range []string{
		`<p onclick="alert(1)">x</p>`,
		`<script>alert(1)</script>`,
		`<a href=" JavaScript:alert(1)">x</a>`,
		`<meta http-equiv="refresh" content="0;url=/">`,
		`<form action="javascript:alert(1)"></form>`,
		`<div class="news-body"><img src=x></div>`,
	} {
		if len(pageProblems("known bad", []byte(page))) == 0 {
			t.Errorf("pageProblems finds nothing in %q", page)
		}
	}
	if bad := articleProblems("good", `<p><a href="https://example.org" rel="nofollow noopener" target="_blank">x</a> <img src="/static/icon.svg" alt="i"></p>`); len(bad) > 0 {
		t.Errorf("a good article: %v", bad)
	}
}
