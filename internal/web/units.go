package web

// Unit says a product's unit in the page's language. Units are one text
// in the catalog (world.Product.Unit), typed in whatever language; the
// page catalogs say the built-in ones, those of the demo and of the
// generated worlds, under unit.UNIT, and after a quantity other than
// one (qty) under unit.UNIT.many: "15 de 15 horas", not "15 de 15
// hour". A unit the catalogs do not know is shown as it is stored.
func (p *page) Unit(unit string, qty ...float64) string {
	key := "unit." + unit
	if len(qty) > 0 && qty[0] != 1 {
		key += ".many"
	}
	for _, l := range []string{p.Lang, "en"} {
		if s, ok := p.ui.catalog[l][key]; ok {
			return s
		}
	}
	return unit
}
