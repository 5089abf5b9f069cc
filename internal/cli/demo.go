package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/commune-org/commune/internal/demo"
	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/web"
)

const (
	msgDemoUsage   msgKey = "demo-usage"
	msgDemoArgs    msgKey = "demo-args"
	msgDemoSeeding msgKey = "demo-seeding"
	msgDemoReuse   msgKey = "demo-reuse"
	msgDemoPlanned msgKey = "demo-planned"
	msgDemoLinks   msgKey = "demo-links"
	msgDemoNotDemo msgKey = "demo-not-demo"
	msgDemoPublic  msgKey = "demo-public"
	msgDemoWarn    msgKey = "demo-public-warning"
)

var demoMessages = map[msgKey][2]string{
	msgDemoPublic: {
		"--addr %s: other machines may reach this address, and the demo signs in as its organizer, with one click, anyone who opens its links; listen on 127.0.0.1, or add --public if everyone who can reach it may do that",
		"--addr %s: a esta dirección pueden llegar otras máquinas, y la demostración abre con un clic la sesión de su organizadora a cualquiera que abra sus enlaces; escuche en 127.0.0.1, o agregue --public si todas las personas que pueden llegar a ella pueden hacerlo"},
	msgDemoWarn: {
		"WARNING: the demo listens on %s, which other machines may reach: anyone who reaches it can sign in as its organizer with one click. Its people are invented; put no real person's data in it.\n",
		"ATENCIÓN: la demostración escucha en %s, a donde pueden llegar otras máquinas: cualquiera que llegue puede entrar como su organizadora con un clic. Sus personas son inventadas; no ponga en ella datos de ninguna persona real.\n"},
	msgDemoNotDemo: {
		"%s holds an organization that is not the demo's: commune demo does not write into it, nor offer its sign-in links; give --data a directory of its own",
		"%s guarda una organización que no es la de la demostración: commune demo no escribe en ella ni ofrece sus enlaces de entrada; indique en --data un directorio propio"},
	msgDemoLinks: {
		`
commune demo is running at %s
Sign in with one click (these links exist only in the demo):
  as a member of Boyle Heights:        %s/demo/member
  as the coordinator of Boyle Heights: %s/demo/coordinator
  as an organizer:                     %s/demo/organizer
To try an urgent call, raise one as the coordinator at a site of Boyle
Heights (its page, "New urgent call"), verify it as the organizer, and
the member's page shows it within seconds. The member is invited to the
May Day march (Events) and has an article waiting for the organizer, who
edits the newspaper (Newspaper).
Stop it with Ctrl-C.

`,
		`
commune demo está funcionando en %s
Entra con un clic (estos enlaces existen solo en la demostración):
  como miembro de Boyle Heights:          %s/demo/member
  como coordinadora de Boyle Heights:     %s/demo/coordinator
  como organizadora:                      %s/demo/organizer
Para probar un llamado urgente, lánzalo como coordinadora en un sitio de
Boyle Heights (su página, "Nuevo llamado urgente"), verifícalo como
organizadora, y la página del miembro lo muestra en segundos. El miembro
está invitado a la marcha del Primero de Mayo (Eventos) y tiene un
artículo esperando a la organizadora, que edita el periódico (Periódico).
Detenla con Ctrl-C.

`},
	msgDemoUsage: {
		`usage: commune demo [--data DIR] [--addr 127.0.0.1:8080] [--public]

Runs the server on a demo organization: collectives in the garment and
food factories, high schools and neighbourhoods of Los Angeles, and
sister collectives in Tijuana, Mexico City, Manila and Johannesburg,
with about two thousand members, their needs and commitments, a computed
plan, a May Day march and the newspaper's first edition. DIR (default
./commune-demo) holds its SQLite database; it is created on the first
run and reused afterwards. Nothing in it is about real people. Ctrl-C
stops the server (exit status 0), or the creation of the organization
before it (130).

Its links sign anyone who opens them in as its member, coordinator or
organizer, with one click. So it listens only on a loopback address
(127.0.0.1, ::1, localhost) unless --public is given: with --public it
listens where --addr says, 0.0.0.0 included, for everyone who can
reach it, and says so.

Flags:
`,
		`uso: commune demo [--data DIR] [--addr 127.0.0.1:8080] [--public]

Ejecuta el servidor con una organización de demostración: colectivos en
las fábricas de ropa y de alimentos, las preparatorias y los barrios de
Los Ángeles, y colectivos hermanos en Tijuana, Ciudad de México, Manila
y Johannesburgo, con unas dos mil personas, sus necesidades y
compromisos, un plan calculado, una marcha del Primero de Mayo y el
primer número del periódico. DIR (por omisión ./commune-demo) guarda su
base de datos SQLite; se crea la primera vez y se reutiliza después.
Nada en ella trata de personas reales. Ctrl-C detiene el servidor
(estado de salida 0), o la creación de la organización antes de él
(130).

Sus enlaces abren con un clic, a quien los abra, la sesión de su
miembro, su coordinadora o su organizadora. Por eso solo escucha en una
dirección local (127.0.0.1, ::1, localhost), salvo con --public: con
--public escucha donde diga --addr, 0.0.0.0 incluido, para todas las
personas que puedan llegar a ella, y lo advierte.

Opciones:
`},
	msgDemoArgs: {
		"demo takes no arguments, got %d",
		"demo no admite argumentos, hay %d"},
	msgDemoSeeding: {
		"creating the demo organization in %s: %d collectives, %d members\n",
		"creando la organización de demostración en %s: %d colectivos, %d miembros\n"},
	msgDemoReuse: {
		"using the demo organization already in %s\n",
		"usando la organización de demostración que ya está en %s\n"},
	msgDemoPlanned: {
		"planned in %.1f s: essential needs %.1f%% met, basic %.1f%%, wanted %.1f%%; %d shortfalls explained\n",
		"planificado en %.1f s: necesidades esenciales cubiertas al %.1f%%, básicas al %.1f%%, deseadas al %.1f%%; %d faltas explicadas\n"},
}

func (c *command) demo(ctx context.Context, args []string) error {
	fs := c.flags("demo", msgDemoUsage)
	data := fs.String("data", "./commune-demo", c.t(msgFlagDemoData))
	addr := fs.String("addr", "127.0.0.1:8080", c.t(msgFlagAddr))
	public := fs.Bool("public", false, c.t(msgFlagDemoPublic))
	pos, err := parse(fs, args)
	if err != nil {
		return c.flagError(err)
	}
	if len(pos) != 0 {
		return usageError{c.t(msgDemoArgs, len(pos))}
	}
	// Listen first: an address in use is said before the data directory
	// is created and the demo planned. Connections wait in the queue of
	// the socket until the server serves, after the links are printed.
	ln, err := c.listen(*addr)
	if err != nil {
		return err
	}
	// The links sign anyone in as the demo's organizer: on an address
	// other machines may reach, that is anyone on the network (a café's,
	// a union hall's), and a warning among the lines a server prints at
	// its start is easily missed. The address listened on says it, a
	// name such as localhost resolved.
	if !loopback(ln.Addr()) {
		if !*public {
			ln.Close()
			return usageError{c.t(msgDemoPublic, *addr)}
		}
		// As typed, with the port listened on (0 picks one).
		host, _, _ := net.SplitHostPort(*addr)
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		fmt.Fprint(c.stderr, c.t(msgDemoWarn, net.JoinHostPort(host, port)))
	}
	if err := c.seedDemo(ctx, *data); err != nil {
		ln.Close()
		if ctx.Err() != nil {
			return interruptedError{c.t(msgInterrupted)}
		}
		return err
	}
	d := demo.Build()
	return c.runServer(ctx, serverConfig{data: *data, ln: ln,
		demo: &web.DemoPeople{Member: d.Member, Coordinator: d.Coordinator, Organizer: d.Organizer, Collective: "boyle-heights"},
		ready: func(url string) {
			fmt.Fprintf(c.stdout, c.t(msgDemoLinks), url, url, url, url)
		}})
}

// seedDemo fills the database in dir with the demo organization and its
// plan, unless it holds it already. A directory that does not exist yet
// is filled beside it, under a hidden name, and renamed into place once
// the demo is planned: a demo interrupted while it seeds or plans leaves
// no directory that the next start would take for a whole demo (it took
// the organization without its plan for one).
func (c *command) seedDemo(ctx context.Context, dir string) error {
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		return c.fillDemo(ctx, dir, dir)
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, ".commune-demo-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // nothing left to remove once renamed
	if err := c.fillDemo(ctx, tmp, dir); err != nil {
		return err
	}
	return os.Rename(tmp, dir)
}

// demoStored, if set, is called once the demo organization is stored,
// before it is planned: the tests interrupt the demo there.
var demoStored func()

// fillDemo is seedDemo on the directory at, named dir in what it says.
func (c *command) fillDemo(ctx context.Context, at, dir string) error {
	st, err := c.openStore(ctx, store.Config{DataDir: at})
	if err != nil {
		return err
	}
	defer st.Close()
	d := demo.Build()
	// The demo's own database holds its organizer under the demo's
	// alias; any other that holds someone is a real organization's (a
	// mistyped --data), which the demo's world would overwrite and its
	// one-click links open to anyone.
	if m, err := st.Member(ctx, d.Organizer); err == nil && m.Alias == demoAlias(d, d.Organizer) {
		fmt.Fprintf(c.stderr, c.t(msgDemoReuse), dir)
		return nil
	} else if err != nil && store.ErrorCode(err) != store.CodeNotFound {
		return err
	}
	if empty, err := st.Empty(ctx); err != nil {
		return err
	} else if !empty {
		return usageError{c.t(msgDemoNotDemo, dir)}
	}
	fmt.Fprintf(c.stderr, c.t(msgDemoSeeding), dir, len(d.Collectives), len(d.World.Members))
	if err := storeDemo(ctx, st, d); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if demoStored != nil {
		demoStored()
	}
	start := time.Now()
	p, err := plan.Make(ctx, d.World, plan.Options{})
	if err != nil {
		return fmt.Errorf("demo: plan: %w", err)
	}
	run, err := st.CreatePlanRun(ctx)
	if err != nil {
		return err
	}
	if err := st.FinishPlanRun(ctx, run, p); err != nil {
		return err
	}
	pct := func(r plan.TierResult) float64 {
		if r.Needed == 0 {
			return 100
		}
		return 100 * r.Met / r.Needed
	}
	fmt.Fprintf(c.stderr, c.t(msgDemoPlanned), time.Since(start).Seconds(),
		pct(p.Tiers.Essential), pct(p.Tiers.Basic), pct(p.Tiers.Wanted), len(p.Shortfalls))
	return nil
}

// demoAlias is the alias the demo gives the member id.
func demoAlias(d *demo.Demo, id string) string {
	for i, m := range d.World.Members {
		if m.ID == id {
			return d.People[i].Alias
		}
	}
	return ""
}

// storeDemo writes the demo's collectives with their schools' hours,
// its members with their aliases, languages and how they take urgent
// calls, its coordinators, and its world.
func storeDemo(ctx context.Context, st *store.Store, d *demo.Demo) error {
	for _, col := range d.Collectives {
		if _, err := st.CreateCollective(ctx, store.Collective{ID: col.ID, Name: col.Name, Kind: store.CollectiveKind(col.Kind)}); err != nil {
			return err
		}
		if len(col.SchoolWeek) > 0 {
			set := store.CollectiveCallSettings{Verify: true, SchoolWeek: col.SchoolWeek, TZ: knownZone(col.TZ)}
			if err := st.PutCollectiveCallSettings(ctx, col.ID, set); err != nil {
				return err
			}
		}
	}
	// Members first, with their aliases: the world then adds their
	// cells, memberships, commitments and needs.
	for i, m := range d.World.Members {
		p := d.People[i]
		if _, err := st.CreateMember(ctx, store.Member{ID: m.ID, Alias: p.Alias, Language: p.Language, Cell: m.Cell,
			CallOptIn: p.Calls.OptIn}); err != nil {
			return err
		}
		if p.Calls.OptIn {
			set := store.MemberCallSettings{ReachKm: p.Calls.ReachKm, Week: p.Calls.Week, TZ: knownZone(p.Calls.TZ)}
			if err := st.PutMemberCallSettings(ctx, m.ID, set); err != nil {
				return err
			}
		}
	}
	// Coordinators before the world: its memberships keep their role.
	for _, col := range d.Collectives {
		if err := st.AddMembership(ctx, d.Coordinators[col.ID], col.ID, store.RoleCoordinator); err != nil {
			return err
		}
	}
	if err := st.PutWorld(ctx, d.World); err != nil {
		return err
	}
	if err := st.NoteSizes(ctx, time.Now()); err != nil {
		return err
	}
	if err := st.SetOrganizer(ctx, d.Organizer, true); err != nil {
		return err
	}
	if err := storeDemoEvents(ctx, st, d, time.Now()); err != nil {
		return err
	}
	return storeDemoNews(ctx, st, d, time.Now())
}

// storeDemoEvents writes the demo's events, held next after now, with
// their contingents, led by their collectives' coordinators, and the
// answers of the members who have given one.
func storeDemoEvents(ctx context.Context, st *store.Store, d *demo.Demo, now time.Time) error {
	for _, de := range d.Events {
		starts, ends := de.Next(now)
		e := store.Event{TitleEN: de.TitleEN, TitleES: de.TitleES, DescriptionEN: de.DescriptionEN, DescriptionES: de.DescriptionES,
			Starts: starts, Ends: ends, Cell: de.Cell, CreatedBy: d.Organizer}
		for _, c := range de.Contingents {
			e.Collectives = append(e.Collectives, c.Collective)
		}
		created, err := st.CreateEvent(ctx, e)
		if err != nil {
			return err
		}
		for _, c := range de.Contingents {
			if _, err := st.SetContingent(ctx, store.Contingent{Event: created.ID, Collective: c.Collective,
				MeetSite: c.Site, MeetNote: c.Note, MeetAt: starts.Add(-c.Before),
				MarshalAlias: demoAlias(d, d.Coordinators[c.Collective])}); err != nil {
				return err
			}
		}
		for _, a := range de.Answers {
			if _, err := st.SetRSVP(ctx, created.ID, a.Member, a.Collective, a.Answer); err != nil {
				return err
			}
		}
	}
	return nil
}

// storeDemoNews writes the demo's newspaper: its organizer an editor,
// its articles published or in review, the translations linked, and
// its first edition, dated now, printing those published.
func storeDemoNews(ctx context.Context, st *store.Store, d *demo.Demo, now time.Time) error {
	if err := st.SetEditor(ctx, d.Organizer, true); err != nil {
		return err
	}
	ids := make([]string, len(d.Articles))
	var edition []string
	for i, da := range d.Articles {
		a, err := st.CreateArticle(ctx, store.Article{Author: da.Author, Language: da.Language, Title: da.Title, Body: da.Body})
		if err != nil {
			return err
		}
		ids[i] = a.ID
		to := []store.ArticleState{store.Review, store.Published}
		if da.InReview {
			to = to[:1]
		}
		for _, state := range to {
			if _, err := st.SetArticleState(ctx, a.ID, state); err != nil {
				return err
			}
		}
		if da.Translates >= 0 {
			if err := st.LinkTranslation(ctx, a.ID, ids[da.Translates]); err != nil {
				return err
			}
		}
		if !da.InReview {
			edition = append(edition, a.ID)
		}
	}
	if len(edition) == 0 {
		return nil
	}
	_, err := st.CreateEdition(ctx, store.Edition{Number: 1, Title: d.EditionTitle, Date: now.Format(time.DateOnly), Articles: edition})
	return err
}

// knownZone returns tz, or UTC on a machine whose time zone database
// lacks it (the store refuses a zone it cannot load): the demo's hours
// then fall at other times of day, and the demo still starts.
func knownZone(tz string) string {
	if _, err := time.LoadLocation(tz); err != nil {
		return "UTC"
	}
	return tz
}

// loopback reports whether addr is on a loopback interface only: not
// the unspecified address (every interface), nor one of the machine's
// other addresses.
func loopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
