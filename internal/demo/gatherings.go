package demo

import (
	"slices"
	"time"

	"github.com/commune-org/commune/internal/geo"
)

// Event is an event of the demo: the May Day march. It is held on the
// next Month and Day after the demo is made (Next), from Hour for Hours
// in TZ.
type Event struct {
	TitleEN, TitleES             string
	DescriptionEN, DescriptionES string
	Month                        time.Month
	Day, Hour, Hours             int
	TZ                           string
	Cell                         string // where it gathers
	// Contingents are the invited collectives, in order, and where each
	// meets before the march; each is led by its coordinator.
	Contingents []Contingent
	// Answers are the members who have said whether they come, each for
	// one contingent: the demo's member has not, and can.
	Answers []Answer
}

// Answer is a member's answer to an event's invitation: yes, maybe or
// no, with the contingent of the collective.
type Answer struct {
	Member, Collective, Answer string
}

// Contingent is where a collective meets before an event: a site of the
// world, a note, and how long before the start.
type Contingent struct {
	Collective, Site, Note string
	Before                 time.Duration
}

// Next returns when the event starts and ends: on its day of the first
// year in which that day has not yet begun at now, in its zone (UTC on a
// machine whose zone database lacks it).
func (e Event) Next(now time.Time) (starts, ends time.Time) {
	loc, err := time.LoadLocation(e.TZ)
	if err != nil {
		loc = time.UTC
	}
	now = now.In(loc)
	for y := now.Year(); ; y++ {
		starts = time.Date(y, e.Month, e.Day, e.Hour, 0, 0, 0, loc)
		if starts.After(now) {
			return starts, starts.Add(time.Duration(e.Hours) * time.Hour)
		}
	}
}

// Article is an article of the demo's newspaper, by a member. An article
// whose Translates is not negative is the translation of the article at
// that index of Demo.Articles.
type Article struct {
	Author      string // a member id
	Language    string
	Title, Body string
	Translates  int
	InReview    bool // waiting for an editor, not published
}

// events sets the demo's events: the May Day march from MacArthur
// Park to City Hall, with the Los Angeles collectives' contingents.
func (d *Demo) events() {
	d.Events = []Event{{
		TitleEN: "May Day march: workers without borders",
		TitleES: "Marcha del Primero de Mayo: trabajadores sin fronteras",
		DescriptionEN: "We march from MacArthur Park to City Hall for every worker, with papers or without. " +
			"Each collective meets first at its own place and walks to the park together, with its marshal. " +
			"Bring water, a hat, and nothing with your name on it.",
		DescriptionES: "Marchamos del parque MacArthur al Ayuntamiento por cada trabajadora y cada trabajador, con papeles o sin ellos. " +
			"Cada colectivo se reúne antes en su propio lugar y camina junto al parque, con su responsable de marcha. " +
			"Trae agua, un sombrero y nada que lleve tu nombre.",
		Month: time.May, Day: 1, Hour: 10, Hours: 5, TZ: "America/Los_Angeles",
		Cell: geo.Encode(34.0577, -118.2756, 5),
		Contingents: []Contingent{
			{Collective: "boyle-heights", Site: "kitchen-boyle", Note: "Mariachi Plaza side, by the kitchen door", Before: 90 * time.Minute},
			{Collective: "pico-union", Site: "press-pico", Note: "the banners are at the print shop", Before: time.Hour},
			{Collective: "vernon-garment", Site: "vernon-plant", Note: "the bus leaves from the gate", Before: 2 * time.Hour},
			{Collective: "fashion-district", Site: "fashion-shop", Before: time.Hour},
			{Collective: "roosevelt-hs", Site: "roosevelt", Note: "with the teachers' union", Before: 90 * time.Minute},
			{Collective: "westlake", Before: 30 * time.Minute},
		},
	}}
	e := &d.Events[0]
	// Of the members of each contingent's collective not yet answered,
	// every fourth says yes, every ninth maybe, and every twentieth no.
	answered := map[string]bool{d.Member: true}
	for _, c := range e.Contingents {
		n := 0
		for _, m := range d.World.Members {
			if answered[m.ID] || !slices.Contains(m.Collectives, c.Collective) {
				continue
			}
			n++
			a := ""
			switch {
			case n%4 == 0:
				a = "yes"
			case n%9 == 0:
				a = "maybe"
			case n%20 == 1:
				a = "no"
			default:
				continue
			}
			answered[m.ID] = true
			e.Answers = append(e.Answers, Answer{Member: m.ID, Collective: c.Collective, Answer: a})
		}
	}
}

// news sets the demo's newspaper: three articles, each in both
// languages, which its first edition prints, and a fourth from the
// demo's member, waiting for an editor. It needs the demo's people.
func (d *Demo) news() {
	garment := d.Coordinators["vernon-garment"]
	d.Articles = []Article{
		{Author: d.Organizer, Language: "en", Translates: -1,
			Title: "May Day: we march without borders",
			Body: "On the first of May we march from MacArthur Park to City Hall.\n\n" +
				"Every collective meets first at its own place: the kitchens, the print shop, the plant gate, the schools. " +
				"Your collective's page says where and when, and who leads its contingent.\n\n" +
				"**Come in a group, leave in a group.** Bring water and nothing with your name on it. " +
				"If you are stopped, you have the right to remain silent."},
		{Author: d.Organizer, Language: "es", Translates: 0,
			Title: "Primero de Mayo: marchamos sin fronteras",
			Body: "El primero de mayo marchamos del parque MacArthur al Ayuntamiento.\n\n" +
				"Cada colectivo se reúne antes en su propio lugar: los comedores, la imprenta, la puerta de la planta, las escuelas. " +
				"La página de tu colectivo dice dónde y cuándo, y quién encabeza su contingente.\n\n" +
				"**Llegamos en grupo, nos vamos en grupo.** Trae agua y nada que lleve tu nombre. " +
				"Si te detienen, tienes derecho a guardar silencio."},
		{Author: garment, Language: "es", Translates: -1,
			Title: "Las costureras de Vernon planean sus propios turnos",
			Body: "Cada semana el plan reparte las horas de costura entre quienes se comprometieron, " +
				"sin mandar a nadie más lejos de lo que aceptó ni darle más horas de las que ofreció.\n\n" +
				"Esta semana la planta cose la ropa de tres barrios. Lo que falta lo dice el plan con nombre: " +
				"faltan horas de costura cerca de la planta, no falta voluntad."},
		{Author: garment, Language: "en", Translates: 2,
			Title: "Vernon's garment workers plan their own shifts",
			Body: "Every week the plan shares the sewing hours among those who committed them, " +
				"sending no one farther than they agreed and giving no one more hours than they offered.\n\n" +
				"This week the plant sews the clothes of three neighbourhoods. What is short, the plan names: " +
				"sewing hours near the plant, not will."},
		{Author: d.Organizer, Language: "en", Translates: -1,
			Title: "When there is not enough, the plan shares it fairly",
			Body: "Essential needs come first: meals, the clinic, childcare. " +
				"When there is not enough of something, the plan does not feed some and leave others with nothing: " +
				"it raises the smallest share as far as it can, and only then the total.\n\n" +
				"A coordinator sees why a need is short, such as not enough cook hours within reach of a neighbourhood, " +
				"and the collective can act on it."},
		{Author: d.Organizer, Language: "es", Translates: 4,
			Title: "Cuando no alcanza, el plan reparte con justicia",
			Body: "Primero van las necesidades esenciales: la comida, la clínica, el cuidado de niñas y niños. " +
				"Cuando algo no alcanza, el plan no alimenta a unos y deja a otros sin nada: " +
				"sube la parte más pequeña tanto como puede, y solo después el total.\n\n" +
				"Una coordinadora ve por qué falta algo, como horas de cocina al alcance de un barrio, " +
				"y el colectivo puede actuar."},
		{Author: d.Member, Language: "es", Translates: -1, InReview: true,
			Title: "Vecinas y vecinos se turnan en el comedor de Boyle Heights",
			Body: "Desde que el plan reparte las horas de cocina, el comedor de Boyle Heights abre todos los días. " +
				"Quien puede dar dos horas da dos; quien puede dar diez da diez, y nadie cocina lejos de su casa."},
	}
	d.EditionTitle = "Sin Fronteras / Without Borders"
}
