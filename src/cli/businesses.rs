//! `earshot businesses add|list`.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use earshot::store::Db;

use super::output::print_json;

#[derive(Subcommand, Debug)]
pub enum BusinessesCmd {
    /// Add your business, or a competitor with --competitor.
    Add {
        name: String,
        #[arg(long)]
        competitor: bool,
        /// Kind of business (cafe, restaurant, hotel, retail, app…): picks the topic lexicon.
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List businesses.
    List {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(store: &Db, cmd: BusinessesCmd) -> Result<ExitCode> {
    match cmd {
        BusinessesCmd::Add {
            name,
            competitor,
            category,
            json,
        } => {
            let b = store.add_business(&name, competitor)?;
            if let Some(c) = category.as_deref() {
                store.set_business_category(b.id, Some(c))?;
            }
            let b = store.business(b.id)?;
            if json {
                print_json(&b)?;
            } else {
                let what = if b.is_competitor {
                    "competitor"
                } else {
                    "business"
                };
                println!("Added {what} {:?} (id {}).", b.name, b.id);
            }
        }
        BusinessesCmd::List { json } => {
            let list = store.businesses()?;
            if json {
                print_json(&list)?;
            } else if list.is_empty() {
                println!("No businesses yet. Add one with `earshot businesses add NAME`.");
            } else {
                for b in list {
                    let tag = if b.is_competitor {
                        "  (competitor)"
                    } else {
                        ""
                    };
                    println!("{:>4}  {}{tag}", b.id, b.name);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
