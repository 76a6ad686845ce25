//! Hints for selector text that does not parse because it was written as people coming from
//! kubectl, SQL or a shell often write it: `>=`, `!key=value`, quotes, `||` and `or`.

use labelsel::ParseError;

/// What to write instead, when `error` (an error in parsing `input`) comes from a common mistake.
pub(crate) fn hint(input: &str, error: &ParseError) -> Option<String> {
    if input.contains(['"', '\'']) {
        return Some("selectors have no quoting: drop the quotes".to_string());
    }
    if let Some(hint) = comparison(input) {
        return Some(hint);
    }
    if let Some(hint) = negated_equality(input) {
        return Some(hint);
    }
    let found = error.found();
    if found == "||" || found == "|" || found.eq_ignore_ascii_case("or") {
        // Inside an `in (...)` list, the parser wants a comma or the closing parenthesis.
        return Some(if error.expected().contains("`)`") {
            "the values of an `in` list are separated by commas: `env in (prod, qa)`".to_string()
        } else {
            "requirements are ANDed; there is no OR: run select twice or use a placement with \
             several required terms"
                .to_string()
        });
    }
    None
}

/// For `KEY>=N` or `KEY<=N`: the `>` or `<` requirement that means the same on integers.
fn comparison(input: &str) -> Option<String> {
    let (at, operator) = [">=", "<="]
        .into_iter()
        .filter_map(|op| Some((input.find(op)?, op)))
        .min()?;
    let key = input[..at]
        .rsplit([',', '(', ' ', '!'])
        .next()
        .unwrap_or_default()
        .trim();
    let after = input[at + 2..].trim_start();
    let digits = after
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
        .map_or(after.len(), |(i, _)| i);
    let written = &after[..digits];
    let bound = written.parse::<i64>().ok();
    let instead = match (operator, bound) {
        (">=", Some(n)) => n.checked_sub(1).map(|m| format!("{key}>{m}")),
        (_, Some(n)) => n.checked_add(1).map(|m| format!("{key}<{m}")),
        (_, None) => None,
    };
    let example = match instead {
        Some(instead) if !key.is_empty() => format!("`{instead}` for {key}{operator}{written}"),
        _ => "`cpu>7` for cpu>=8".to_string(),
    };
    Some(format!(
        "selectors have `>` and `<` only, with integers: use {example}"
    ))
}

/// For `!KEY=VALUE`: `KEY!=VALUE`.
fn negated_equality(input: &str) -> Option<String> {
    input.split(',').find_map(|part| {
        let negated = part.trim().strip_prefix('!')?;
        let (key, value) = negated.split_once('=')?;
        if key.ends_with('!') {
            // `!key!=value`: not a negated equality.
            return None;
        }
        let value = value.strip_prefix('=').unwrap_or(value);
        Some(format!("use `{}!={}`", key.trim(), value.trim()))
    })
}
