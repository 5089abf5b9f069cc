package web

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"time"

	"github.com/commune-org/commune/internal/store"
)

// The newspaper's Atom feeds (RFC 4287), one per language: the latest
// published articles, each with its sanitized HTML (newsrender.go) as
// content and, when it has a published translation, a link to it with
// its hreflang. Ids are tag: URIs (RFC 4151) minted under the host of
// the server's public URL, so that they do not change when an article
// is edited or the feed is read from another address.

// feedEntries is how many articles a feed carries.
const feedEntries = 50

// tagYear is the date part of the tag: URIs: the year the organization
// held its domain name for them. It must never change, or every id
// would.
const tagYear = "2026"

func (s *Server) feedRoutes() []route {
	return []route{
		{pattern: "GET /feeds/en.atom", public: true, h: s.feed("en")},
		{pattern: "GET /feeds/es.atom", public: true, h: s.feed("es")},
	}
}

type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string      `xml:"xml:lang,attr"`
	ID       string      `xml:"id"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Entries  []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel      string `xml:"rel,attr"`
	Type     string `xml:"type,attr,omitempty"`
	Hreflang string `xml:"hreflang,attr,omitempty"`
	Href     string `xml:"href,attr"`
}

type atomEntry struct {
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Updated   string      `xml:"updated"`
	Published string      `xml:"published"`
	Author    atomAuthor  `xml:"author"`
	Links     []atomLink  `xml:"link"`
	Content   atomContent `xml:"content"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomContent struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// tagURI is the tag: URI of what under the server's host.
func (s *Server) tagURI(base, what string) string {
	host := "localhost"
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return "tag:" + host + "," + tagYear + ":" + what
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (s *Server) feed(lang string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		as, err := s.store.Articles(ctx, store.ArticleFilter{State: store.Published, Language: lang, Limit: feedEntries})
		if err != nil {
			return err
		}
		base := s.publicURL(r)
		f := atomFeed{
			Lang:     lang,
			ID:       s.tagURI(base, "news/"+lang),
			Title:    s.ui.t(lang, "news.feed.title"),
			Subtitle: s.ui.t(lang, "news.feed.subtitle"),
			Links: []atomLink{
				{Rel: "self", Type: "application/atom+xml", Href: base + "/feeds/" + lang + ".atom"},
				{Rel: "alternate", Type: "text/html", Hreflang: lang, Href: base + "/news"},
			},
		}
		// A feed with no entry is as old as the feed itself; a fixed
		// instant keeps it from changing at every read.
		updated := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, a := range as {
			if a.Updated.After(updated) {
				updated = a.Updated
			}
			e := atomEntry{
				ID:        s.tagURI(base, "article/"+a.ID),
				Title:     a.Title,
				Updated:   atomTime(a.Updated),
				Published: atomTime(a.Published),
				Author:    atomAuthor{Name: a.Alias},
				Links:     []atomLink{{Rel: "alternate", Type: "text/html", Hreflang: a.Language, Href: base + "/news/" + a.ID}},
				Content:   atomContent{Type: "html", Body: string(renderArticle(a.Body))},
			}
			if a.Translation != "" {
				tr, err := s.store.Article(ctx, a.Translation)
				if err != nil && store.ErrorCode(err) != store.CodeNotFound {
					return err
				}
				if err == nil && tr.State == store.Published {
					e.Links = append(e.Links, atomLink{Rel: "alternate", Type: "text/html", Hreflang: tr.Language, Href: base + "/news/" + tr.ID})
				}
			}
			f.Entries = append(f.Entries, e)
		}
		f.Updated = atomTime(updated)
		var buf bytes.Buffer
		buf.WriteString(xml.Header)
		enc := xml.NewEncoder(&buf)
		enc.Indent("", " ")
		if err := enc.Encode(f); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/atom+xml")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Write(buf.Bytes())
		return nil
	}
}
