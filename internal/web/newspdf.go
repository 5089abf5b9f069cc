package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"github.com/commune-org/commune/internal/store"
)

// An edition as a PDF for the print shop: A4, two columns, the reader's
// language first and the other from a new page, as the print view
// (newspage.go). It is drawn with fpdf from the articles' Markdown
// syntax trees, not from their HTML: only text, emphasis, headings,
// lists, quotes, code and tables reach the paper, so nothing of an
// article can be active in the PDF (no links are made, a link's address
// is printed after its text; images are left out, their alt text kept).
//
// The fonts are the PDF core fonts (Times, Courier), whose encoding is
// Windows-1252: every letter of Spanish and English is there; a
// character outside it prints as a question mark.

// PDF layout, in millimetres.
const (
	pdfMargin = 14.0
	pdfGap    = 8.0
	pdfLine   = 4.6 // body line height, for 10 pt
)

func (s *Server) editionPDF(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadEdition(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	lang := s.ui.pageLang(r)
	var buf bytes.Buffer
	if err := s.drawEdition(&buf, v, lang); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="edition-%d-%s.pdf"`, v.Number, lang))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
	return nil
}

// pdfDoc is a PDF being drawn in two columns.
type pdfDoc struct {
	*fpdf.Fpdf
	tr     func(string) string // UTF-8 to the core fonts' encoding
	col    int
	colTop float64 // where columns start on the current page
	colW   float64
	bold   int // depth of strong emphasis
	italic int
}

func (d *pdfDoc) setCol(c int) {
	d.col = c
	x := pdfMargin + float64(c)*(d.colW+pdfGap)
	pw, _ := d.GetPageSize()
	d.SetLeftMargin(x)
	d.SetRightMargin(pw - x - d.colW)
	d.SetX(x)
}

// fullWidth sets the margins to the page's.
func (d *pdfDoc) fullWidth() {
	d.SetLeftMargin(pdfMargin)
	d.SetRightMargin(pdfMargin)
	d.SetX(pdfMargin)
}

func (d *pdfDoc) font(size float64) {
	style := ""
	if d.bold > 0 {
		style += "B"
	}
	if d.italic > 0 {
		style += "I"
	}
	d.SetFont("Times", style, size)
}

func (s *Server) drawEdition(w *bytes.Buffer, v *editionView, lang string) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pw, ph := pdf.GetPageSize()
	d := &pdfDoc{Fpdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor(""), colW: (pw - 2*pdfMargin - pdfGap) / 2}
	pdf.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	pdf.SetAutoPageBreak(true, pdfMargin+6)
	pdf.SetTitle(v.Title, true)
	pdf.SetLang(lang)
	pdf.SetProducer("commune", true)
	pdf.SetCreationDate(v.Created)
	pdf.SetModificationDate(v.Created)
	pdf.SetAcceptPageBreakFunc(func() bool {
		if d.col == 0 {
			d.setCol(1)
			d.SetY(d.colTop)
			return false
		}
		d.setCol(0)
		return true
	})
	label := s.ui.t(lang, "news.edition.label", v.Number, v.Date)
	pdf.SetFooterFunc(func() {
		pdf.SetFont("Times", "I", 8)
		pdf.SetXY(pdfMargin, ph-pdfMargin-2)
		pdf.CellFormat(pw-2*pdfMargin, 4, d.tr(s.ui.t(lang, "news.paper")+" · "+label+" · "+strconv.Itoa(pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.SetHeaderFunc(func() { d.colTop = pdfMargin })

	order := []string{lang}
	for _, l := range store.NewsLanguages {
		if l != lang {
			order = append(order, l)
		}
	}
	first := true
	for _, l := range order {
		var arts []store.Article
		for _, a := range v.Articles {
			if a.Language == l {
				arts = append(arts, a)
			}
		}
		if len(arts) == 0 {
			continue
		}
		pdf.AddPage()
		d.fullWidth()
		if first {
			first = false
			pdf.SetFont("Times", "", 10)
			pdf.CellFormat(0, 5, d.tr(strings.ToUpper(s.ui.t(lang, "news.paper"))), "", 1, "C", false, 0, "")
			pdf.SetFont("Times", "B", 24)
			pdf.MultiCell(0, 11, d.tr(v.Title), "", "C", false)
			pdf.SetFont("Times", "", 10)
			pdf.CellFormat(0, 6, d.tr(label), "", 1, "C", false, 0, "")
			y := pdf.GetY() + 1
			pdf.SetLineWidth(0.6)
			pdf.Line(pdfMargin, y, pw-pdfMargin, y)
			pdf.SetLineWidth(0.2)
			pdf.Line(pdfMargin, y+1, pw-pdfMargin, y+1)
			pdf.SetY(y + 4)
		}
		pdf.SetFont("Times", "B", 10)
		pdf.CellFormat(0, 6, d.tr(strings.ToUpper(s.ui.t(lang, langKey(l)))), "B", 1, "L", false, 0, "")
		d.colTop = pdf.GetY() + 3
		d.setCol(0)
		pdf.SetY(d.colTop)
		for _, a := range arts {
			d.article(a, s.ui.t(lang, "news.byline.draft", a.Alias))
		}
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("web: edition %s as PDF: %w", v.ID, err)
	}
	return nil
}

// article draws one article in the columns, signed byline.
func (d *pdfDoc) article(a store.Article, byline string) {
	d.bold, d.italic = 1, 0
	d.font(14)
	d.MultiCell(0, 6.2, d.tr(a.Title), "", "L", false)
	d.bold, d.italic = 0, 1
	d.font(9)
	d.MultiCell(0, 4.5, d.tr(byline), "", "L", false)
	d.italic = 0
	d.Ln(1.5)
	src := []byte(a.Body)
	doc := markdown.Parser().Parse(text.NewReader(src))
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		d.block(n, src)
	}
	d.Ln(4)
}

// block draws a block node of an article's syntax tree.
func (d *pdfDoc) block(n ast.Node, src []byte) {
	switch n := n.(type) {
	case *ast.Heading:
		d.bold++
		d.font(11.5)
		d.inlines(n, src, 5.2)
		d.bold--
		d.Ln(6.5)
	case *ast.Paragraph, *ast.TextBlock:
		d.font(10)
		d.inlines(n, src, pdfLine)
		d.Ln(pdfLine + 1.5)
	case *ast.List:
		i := n.Start
		for item := n.FirstChild(); item != nil; item = item.NextSibling() {
			d.font(10)
			if n.IsOrdered() {
				d.Write(pdfLine, strconv.Itoa(i)+". ")
				i++
			} else {
				d.Write(pdfLine, d.tr("• "))
			}
			for c := item.FirstChild(); c != nil; c = c.NextSibling() {
				if _, ok := c.(*ast.TextBlock); ok {
					d.inlines(c, src, pdfLine)
					d.Ln(pdfLine)
					continue
				}
				d.block(c, src)
			}
		}
		d.Ln(1.5)
	case *ast.Blockquote:
		d.italic++
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			d.block(c, src)
		}
		d.italic--
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		d.SetFont("Courier", "", 8.5)
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			d.MultiCell(0, 3.8, d.tr(strings.TrimRight(string(seg.Value(src)), "\n")), "", "L", false)
		}
		d.Ln(1.5)
	case *ast.ThematicBreak:
		y := d.GetY() + 1.5
		l, _, r, _ := d.GetMargins()
		pw, _ := d.GetPageSize()
		d.Line(l, y, pw-r, y)
		d.Ln(4)
	case *east.Table:
		d.font(9)
		for row := n.FirstChild(); row != nil; row = row.NextSibling() {
			first := true
			for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
				if !first {
					d.Write(4.2, " | ")
				}
				first = false
				if _, head := row.(*east.TableHeader); head {
					d.bold++
					d.font(9)
				}
				d.inlines(cell, src, 4.2)
				if _, head := row.(*east.TableHeader); head {
					d.bold--
					d.font(9)
				}
			}
			d.Ln(4.2)
		}
		d.Ln(1.5)
	default:
		// Raw HTML blocks are left out, as the sanitizer leaves them
		// out of the page.
	}
}

// inlines writes the inline children of n, flowing, with line height h.
func (d *pdfDoc) inlines(n ast.Node, src []byte, h float64) {
	size, _ := d.GetFontSize()
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			d.Write(h, d.tr(string(c.Segment.Value(src))))
			switch {
			case c.HardLineBreak():
				d.Ln(h)
			case c.SoftLineBreak():
				d.Write(h, " ")
			}
		case *ast.String:
			d.Write(h, d.tr(string(c.Value)))
		case *ast.Emphasis:
			if c.Level >= 2 {
				d.bold++
			} else {
				d.italic++
			}
			d.font(size)
			d.inlines(c, src, h)
			if c.Level >= 2 {
				d.bold--
			} else {
				d.italic--
			}
			d.font(size)
		case *ast.CodeSpan:
			d.SetFont("Courier", "", size-1)
			var b strings.Builder
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if tx, ok := t.(*ast.Text); ok {
					b.Write(tx.Segment.Value(src))
				}
			}
			d.Write(h, d.tr(b.String()))
			d.font(size)
		case *ast.Link:
			d.inlines(c, src, h)
			if u := string(c.Destination); strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
				d.Write(h, d.tr(" ("+u+")"))
			}
		case *ast.AutoLink:
			d.Write(h, d.tr(string(c.URL(src))))
		case *ast.Image:
			d.Write(h, "[")
			d.inlines(c, src, h)
			d.Write(h, "]")
		case *east.Strikethrough:
			d.inlines(c, src, h)
		default:
			// Raw HTML is left out.
		}
	}
}

// langKey is the catalog key of a language's name.
func langKey(l string) string { return fmt.Sprintf("news.lang.%s", l) }
