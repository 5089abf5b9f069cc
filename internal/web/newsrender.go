package web

import (
	"bytes"
	"html/template"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Articles are stored as the Markdown their authors typed and turned
// into HTML each time they are shown, in two steps:
//
//  1. goldmark renders CommonMark with tables, strikethrough and bare
//     links made links. It is left in its safe mode: raw HTML in the
//     Markdown is dropped, and it refuses javascript:, vbscript:, file:
//     and data: link destinations.
//  2. bluemonday then sanitizes the HTML against an allow-list of its
//     own (newsPolicy), which does not trust step 1: whatever goldmark
//     lets through, including a future bug of it, is cut to the
//     elements and attributes below.
//
// The content security policy of the pages (default-src 'self', no
// inline script) is a second line of defence, not the first: the feeds,
// for one, are read by programs that apply no CSP.
//
// What the policy allows, and why:
//
//   - Text structure only: paragraphs, headings, emphasis, lists, quotes,
//     code, rules, tables. No id, class, name or style attribute on
//     anything (no styling, no clobbering of the page's DOM), no forms,
//     no iframes, objects, embeds, SVG or MathML, no script, no style.
//   - Links to http, https and mailto URLs, and relative ones within the
//     site; every link gets rel="nofollow" (the site vouches for no
//     link in an article), and those to other hosts open in a new tab
//     with rel="nofollow noopener".
//   - Images only from the site itself (a path beginning with one "/"):
//     an image from another host would tell that host who reads the
//     article, from where and when, and the organization's readers
//     include people that must not be tracked. data: images are refused
//     too: nothing in the editor needs them, and they are a classic
//     carrier of SVG with script.
var newsPolicy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
		"em", "strong", "del", "code", "pre", "blockquote", "ul", "ol", "li",
		"table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("title").Matching(bluemonday.Paragraph).OnElements("a", "img")
	p.AllowAttrs("src").Matching(regexp.MustCompile(`^/[^/\\]`)).OnElements("img")
	p.AllowAttrs("alt").Matching(bluemonday.Paragraph).OnElements("img")
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// markdown renders articles; see above.
var markdown = goldmark.New(goldmark.WithExtensions(
	extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
	extension.Strikethrough,
	extension.Linkify,
))

// renderArticle turns an article's Markdown into sanitized HTML.
func renderArticle(md string) template.HTML {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(md), &buf); err != nil {
		// goldmark fails only when writing to buf fails, which it
		// does not; show nothing rather than the raw text.
		return ""
	}
	return template.HTML(newsPolicy.SanitizeBytes(buf.Bytes()))
}
