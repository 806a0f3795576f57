//! The community of commenters and the words they use: stable names, so a username seen in a
//! demo stays the same across seeds; only who comments where depends on the seed.

use super::Person;
use crate::ids;
use crate::rng;

/// Person index of the first community member (owners use small indices).
pub const COMMUNITY_BASE: u32 = 1000;
/// How many commenters the community has.
pub const COMMUNITY_SIZE: u32 = 48;

const FIRST: [&str; 16] = [
    "mila", "theo", "nora", "omar", "ines", "liam", "zoe", "kai", "lena", "ravi", "sofia", "jun", "amara",
    "felix", "yara", "hugo",
];
const SECOND: [&str; 12] = [
    "rivers", "bakes", "travels", "shoots", "runs", "paints", "reads", "cooks", "climbs", "sings", "films",
    "codes",
];
const SURNAME: [&str; 12] = [
    "Rivera", "Baker", "Traverso", "Shah", "Runge", "Painter", "Reid", "Cook", "Kline", "Singh", "Fillmore",
    "Coder",
];

/// Community member number `i` (0-based): `mila.rivers`, `theo_bakes`, …
pub fn community_member(i: u32) -> Person {
    let first = FIRST[(i as usize) % FIRST.len()];
    let second_index = (i as usize * 5 + i as usize / FIRST.len()) % SECOND.len();
    let sep = if i.is_multiple_of(2) { "." } else { "_" };
    let mut name = String::with_capacity(first.len() + 1);
    name.push_str(&first[..1].to_uppercase());
    name.push_str(&first[1..]);
    Person {
        index: COMMUNITY_BASE + i,
        user_id: ids::user_id(COMMUNITY_BASE + i),
        username: format!("{first}{sep}{}", SECOND[second_index]),
        name: format!("{name} {}", SURNAME[second_index]),
    }
}

const COMMENTS: [&str; 16] = [
    "Love this! 😍",
    "This is awesome!",
    "Where was this taken?",
    "So good 🔥",
    "Goals.",
    "Take me with you next time",
    "The light here is unreal",
    "Obsessed with this one",
    "Haha, classic you",
    "Need the recipe!",
    "Wow 👏👏",
    "Best one yet",
    "Miss you!",
    "This made my day",
    "Incredible shot",
    "Same energy as last summer",
];
const REPLIES: [&str; 8] = [
    "Thank you!! 🙏",
    "Haha right?",
    "Next time for sure",
    "❤️",
    "You're the best",
    "DM me",
    "Agreed!",
    "Can't wait",
];
const CAPTIONS: [&str; 12] = [
    "Golden hour at the pier",
    "Sunday pancakes 🥞",
    "New trail, new legs",
    "City lights from the 20th floor",
    "Throwback to the lake house",
    "Finally finished this painting",
    "Coffee first, questions later ☕",
    "Road trip day 3",
    "Rainy window, good book",
    "Market haul 🍅",
    "Concert night!",
    "Quiet morning by the sea",
];

/// A comment text chosen by `seed` and `path`.
pub fn comment_text(seed: u64, path: &[u64]) -> &'static str {
    COMMENTS[rng::below(seed, path, COMMENTS.len() as u64) as usize]
}

/// A reply text chosen by `seed` and `path`.
pub fn reply_text(seed: u64, path: &[u64]) -> &'static str {
    REPLIES[rng::below(seed, path, REPLIES.len() as u64) as usize]
}

/// A caption chosen by `seed` and `path`.
pub fn caption(seed: u64, path: &[u64]) -> &'static str {
    CAPTIONS[rng::below(seed, path, CAPTIONS.len() as u64) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn community_usernames_are_unique() {
        let names: HashSet<String> = (0..COMMUNITY_SIZE).map(|i| community_member(i).username).collect();
        assert_eq!(names.len(), COMMUNITY_SIZE as usize);
        assert_eq!(community_member(0).username, "mila.rivers");
    }
}
