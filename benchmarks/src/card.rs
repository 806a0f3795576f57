//! Card benchmark (`make bench`): how long drawing one crush card takes (tiny-skia and the shipped
//! fonts, then PNG encoding), the work a card costs before the server caches it. Each render
//! draws different data, as a stream of new crushes would. The throughput of cached cards
//! beside `/healthz` is in `bench-api`.

use std::time::Instant;

use instacrush::share::{CARD_HEIGHT, CARD_WIDTH, CardData, render_card};
use instacrush_benchmarks::percentile;

/// Cards drawn after the warm-up.
const RENDERS: usize = 200;
/// Cards drawn first and not counted (fonts paged in, allocator warmed).
const WARM_UP: usize = 10;

fn main() -> anyhow::Result<()> {
    println!(
        "Card: {CARD_WIDTH}×{CARD_HEIGHT} PNG drawn on one thread, {RENDERS} renders after {WARM_UP} of warm-up\n"
    );
    let mut times = Vec::with_capacity(RENDERS);
    let mut bytes = 0;
    for i in 0..WARM_UP + RENDERS {
        let owner = format!("owner_{i}.demo");
        let crush = format!("someone.who.comments_{}", i * 7);
        let data = CardData { owner: &owner, crush: &crush, comments: 30 + i as i64, posts: 19 };
        let started = Instant::now();
        let png = render_card(&data)?;
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        if i >= WARM_UP {
            times.push(elapsed);
            bytes += png.len();
        }
    }
    let total: f64 = times.iter().sum();
    println!("{:>9} {:>9} {:>9} {:>11} {:>9}", "p50 ms", "p99 ms", "max ms", "renders/s", "PNG kB");
    println!(
        "{:>9.2} {:>9.2} {:>9.2} {:>11.1} {:>9.1}",
        percentile(&times, 0.50),
        percentile(&times, 0.99),
        percentile(&times, 1.0),
        times.len() as f64 / (total / 1000.0),
        bytes as f64 / times.len() as f64 / 1000.0,
    );
    Ok(())
}
