//! The `emporium` command line.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::accounts::AccountError;
use crate::accounts::admin::{self, AdminOutcome};
use crate::config::Settings;
use crate::domain::StaffRole;
use crate::startup::Application;
use crate::state::AppState;

#[derive(Parser, Debug)]
#[command(
    name = "emporium",
    version,
    about = "Emporium: a web store on SQLite or PostgreSQL"
)]
pub struct Cli {
    /// Configuration file (default: ./config.toml; also EMPORIUM_CONFIG)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the store (the default when no command is given)
    Serve,
    /// Apply pending database migrations and exit
    Migrate,
    /// Create an administrator, or promote the account with this email address
    CreateAdmin {
        /// Email address of the administrator
        #[arg(long)]
        email: String,
        /// Username of a new administrator
        #[arg(long)]
        username: String,
        /// Read the password from the first line of standard input instead of prompting
        #[arg(long)]
        password_stdin: bool,
        /// The staff role to give: admin (everything), catalog, orders or support
        #[arg(long, default_value = "admin", value_parser = parse_role)]
        role: StaffRole,
    },
    /// Fill an empty catalogue with the demo products
    SeedDemo {
        /// How many products to create
        #[arg(long, default_value_t = crate::catalog::seed::DEFAULT_PRODUCTS)]
        products: usize,
    },
    /// Create simulated shoppers with hidden tastes who view, wish for and buy demo products
    /// (for measuring the recommender; deterministic for a seed)
    SimulateShoppers {
        #[arg(long, default_value_t = 400)]
        customers: usize,
        /// Orders per customer on average
        #[arg(long, default_value_t = 4)]
        orders_per_customer: usize,
        /// Days the activity is spread over, before now
        #[arg(long, default_value_t = 90)]
        days: i64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Recompute similarities, popularity and the rating prior now
    RefreshRecommendations,
    /// Measure the recommender against a popularity baseline: each customer's last order is
    /// hidden and predicted (hit-rate@10, NDCG@10)
    EvaluateRecommendations,
    /// Copy the database (a consistent snapshot, while the store runs) and media into a new
    /// folder (SQLite; on PostgreSQL use pg_dump)
    Backup {
        /// A new or empty folder
        path: PathBuf,
    },
    /// Put a backup folder back into the stopped store (what it replaces is kept beside it)
    Restore {
        /// A folder written by `emporium backup`
        path: PathBuf,
    },
    /// Write a self-signed certificate and key for development HTTPS (browsers will warn)
    SelfSignedCert {
        /// The host name the certificate is for (localhost is always added)
        #[arg(long, default_value = "localhost")]
        host: String,
        /// Where to write cert.pem and key.pem
        #[arg(long, default_value = "data/tls", value_name = "DIR")]
        out: PathBuf,
    },
    /// Finish what a crash left between the payment steps: void authorisations that have no
    /// order, capture committed orders whose capture never ran (the store also does this every
    /// payments.reconcile_every_minutes)
    Reconcile {
        /// Leave alone what is younger than this (checkouts in flight)
        #[arg(long, default_value_t = 15)]
        older_than_minutes: i64,
    },
    /// Accounting exports as CSV on standard output (the shop's dates; both ends included)
    Report {
        #[command(subcommand)]
        report: ReportKind,
    },
    /// Print the newest mails of the outbox (recipient, subject, links)
    Outbox {
        /// How many mails to show
        #[arg(long, default_value_t = 5)]
        count: usize,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReportKind {
    /// VAT per rate per month: month, rate, net, VAT, gross (invoices less credit notes)
    Vat {
        /// First day, YYYY-MM-DD (default: the first of this month)
        #[arg(long, default_value = "")]
        from: String,
        /// Last day, YYYY-MM-DD (default: today)
        #[arg(long, default_value = "")]
        to: String,
    },
    /// Every invoice and credit note: number, date, customer, net, VAT per rate, gross,
    /// payment reference
    Documents {
        #[arg(long, default_value = "")]
        from: String,
        #[arg(long, default_value = "")]
        to: String,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    crate::telemetry::init(&settings.log);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate => {
            let db = crate::db::Db::connect(&settings.database).await?;
            db.migrate().await?;
            println!("migrations applied");
            Ok(())
        }
        Command::CreateAdmin {
            email,
            username,
            password_stdin,
            role,
        } => create_admin(settings, &email, &username, password_stdin, role).await,
        Command::SeedDemo { products } => {
            let state = AppState::build(settings).await?;
            match crate::catalog::seed::seed_if_empty(&state, products).await? {
                0 => println!("the catalogue is not empty; nothing was added"),
                n => {
                    crate::catalog::seed::demo_offers(&state).await?;
                    println!(
                        "{n} demo products added, with a promotion and the voucher code {}",
                        crate::catalog::seed::DEMO_VOUCHER
                    );
                }
            }
            state.db.close().await;
            Ok(())
        }
        Command::SimulateShoppers {
            customers,
            orders_per_customer,
            days,
            seed,
        } => {
            let state = AppState::build(settings).await?;
            crate::catalog::seed::seed_if_empty(&state, crate::catalog::seed::DEFAULT_PRODUCTS)
                .await?;
            let plan = crate::engagement::simulate::Plan {
                customers,
                orders_per_customer,
                days,
                seed,
            };
            let started = std::time::Instant::now();
            let r = crate::engagement::simulate::run(&state, plan).await?;
            println!(
                "simulated {} customers: {} orders, {} product views, {} wishlist entries ({:.1} s)",
                r.customers,
                r.orders,
                r.views,
                r.wishes,
                started.elapsed().as_secs_f64()
            );
            state.db.close().await;
            Ok(())
        }
        Command::RefreshRecommendations => {
            let state = AppState::build(settings).await?;
            let r = crate::engagement::recommend::refresh::refresh(&state).await?;
            println!(
                "similarities for {} products ({} pairs kept), popularity of {} products: {:.2} s",
                r.products_with_neighbours, r.pairs, r.popular_products, r.seconds
            );
            state.db.close().await;
            Ok(())
        }
        Command::EvaluateRecommendations => {
            let state = AppState::build(settings).await?;
            let figures = crate::engagement::recommend::evaluate::run(&state).await?;
            println!("| method | customers | hit-rate@10 | NDCG@10 |");
            println!("|---|---:|---:|---:|");
            for f in &figures {
                println!(
                    "| {} | {} | {:.3} | {:.3} |",
                    f.method, f.customers, f.hit_rate, f.ndcg
                );
            }
            state.db.close().await;
            Ok(())
        }
        Command::Backup { path } => {
            let s = crate::ops::backup::backup(&settings, &path).await?;
            println!("Backed up {s} into {}", path.display());
            Ok(())
        }
        Command::Restore { path } => {
            let now = crate::clock::Clock::default().unix();
            let s = crate::ops::backup::restore(&settings, &path, now).await?;
            println!(
                "Restored {s} from {}; the replaced files are kept as *.before-restore-{now}",
                path.display()
            );
            Ok(())
        }
        Command::SelfSignedCert { host, out } => {
            let (cert, key) = crate::ops::tls::write_self_signed(&host, &out)?;
            println!(
                "Wrote {} and {} for {host}. Serve HTTPS with:\n  EMPORIUM_SERVER__TLS_CERT={} EMPORIUM_SERVER__TLS_KEY={} EMPORIUM_SERVER__BASE_URL=https://{host}:8080 emporium",
                cert.display(),
                key.display(),
                cert.display(),
                key.display()
            );
            Ok(())
        }
        Command::Reconcile { older_than_minutes } => {
            let state = AppState::build(settings).await?;
            let r = crate::payments::reconcile::run(&state, older_than_minutes.max(0) * 60).await?;
            for reference in &r.voided_orphans {
                println!("voided {reference}: no order has it");
            }
            for reference in &r.voided_cancelled {
                println!("voided {reference}: its order was cancelled");
            }
            for id in &r.captured {
                println!("captured order #{id}: now paid");
            }
            for (id, note) in &r.failed {
                println!("order #{id}: capture failed, left for the staff: {note}");
            }
            for id in &r.waiting {
                println!("order #{id}: waiting for the staff (capture failed before)");
            }
            println!(
                "{} voided, {} captured, {} failed, {} waiting",
                r.voided_orphans.len() + r.voided_cancelled.len(),
                r.captured.len(),
                r.failed.len(),
                r.waiting.len()
            );
            state.db.close().await;
            Ok(())
        }
        Command::Report { report } => {
            let state = AppState::build(settings).await?;
            let (from, to) = match &report {
                ReportKind::Vat { from, to } | ReportKind::Documents { from, to } => (from, to),
            };
            let period = crate::reports::Period::parse(from, to, crate::reports::today(&state))
                .map_err(|e| {
                    let all: Vec<String> = e.fields().flat_map(|(_, m)| m.clone()).collect();
                    anyhow::anyhow!("{}", all.join(" "))
                })?;
            let rows = crate::reports::documents(&state, period).await?;
            let csv = match report {
                ReportKind::Vat { .. } => {
                    crate::reports::vat_csv(&crate::reports::vat_summary(&rows))?
                }
                ReportKind::Documents { .. } => {
                    crate::reports::documents_csv(&rows, &state.settings.store.currency)?
                }
            };
            std::io::Write::write_all(&mut std::io::stdout(), &csv)?;
            state.db.close().await;
            Ok(())
        }
        Command::Outbox { count } => {
            print_outbox(&settings, count);
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let state = AppState::build(settings).await?;
    if state.settings.demo.seed {
        let added =
            crate::catalog::seed::seed_if_empty(&state, crate::catalog::seed::DEFAULT_PRODUCTS)
                .await?;
        if added > 0 {
            crate::catalog::seed::demo_offers(&state).await?;
            println!(
                "The catalogue was empty: {added} demo products were added (try the voucher code {}).",
                crate::catalog::seed::DEMO_VOUCHER
            );
        }
    }
    let app = Application::build_with_state(state).await?;
    let s = &app.state().settings.server;
    let scheme = if s.tls() { "https" } else { "http" };
    println!(
        "Emporium is serving on {scheme}://{}:{}/",
        s.host,
        app.port()
    );
    if let Some(port) = app.redirect_port() {
        println!("Plain HTTP on port {port} redirects to {}", s.base_url);
    }
    tracing::info!(port = app.port(), "listening");
    app.run_until_stopped().await?;
    Ok(())
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("Password for the new administrator: ")?;
    let second = rpassword::prompt_password("Repeat the password: ")?;
    anyhow::ensure!(first == second, "the two passwords do not match");
    Ok(first)
}

async fn create_admin(
    settings: Settings,
    email: &str,
    username: &str,
    password_stdin: bool,
    role: StaffRole,
) -> anyhow::Result<()> {
    let state = AppState::build(settings).await?;
    let exists = match crate::domain::Email::parse(email) {
        Ok(e) => crate::db::users::find_by_email(state.db.pool(), &e)
            .await?
            .is_some(),
        Err(_) => false,
    };
    let password = if exists && !password_stdin {
        None
    } else {
        Some(read_password(password_stdin)?)
    };
    match admin::create_or_promote(&state, email, username, password.as_deref(), role).await {
        Ok(AdminOutcome::Created) => {
            println!("staff account {username} <{email}> created with the {role} role")
        }
        Ok(AdminOutcome::Promoted) => println!("account <{email}> now holds the {role} role"),
        Err(AccountError::Invalid(errors) | AccountError::Taken(errors)) => {
            for (field, messages) in errors.fields() {
                for m in messages {
                    eprintln!("{field}: {m}");
                }
            }
            anyhow::bail!("the administrator was not created");
        }
        Err(e) => return Err(e.into()),
    }
    state.db.close().await;
    Ok(())
}

fn parse_role(s: &str) -> Result<StaffRole, String> {
    StaffRole::parse(s).ok_or_else(|| {
        let names: Vec<&str> = StaffRole::ALL.iter().map(|r| r.as_str()).collect();
        format!("choose one of: {}", names.join(", "))
    })
}

fn print_outbox(settings: &Settings, count: usize) {
    let dir = &settings.email.outbox_dir;
    let mails = crate::email::outbox::read_all(dir);
    if mails.is_empty() {
        println!("no mails in {}", dir.display());
        return;
    }
    for mail in mails.iter().rev().take(count) {
        println!("To:      {}", mail.to);
        println!("Subject: {}", mail.subject);
        for link in mail.links() {
            println!("Link:    {link}");
        }
        println!("File:    {}", mail.path.display());
        println!();
    }
}
