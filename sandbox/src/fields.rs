//! The Graph API `fields` parameter: `id,caption,from{id,username},replies.limit(5){id,text}`.
//! Parsed into a tree, used to shape responses as Meta does (only what was asked for, an error
//! for a field that does not exist), and printed back for nested paging links.

use serde_json::{Map, Value};

/// One requested field, with its nested selection for object fields and edges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Field name.
    pub name: String,
    /// A `.limit(n)` modifier, for edges.
    pub limit: Option<u32>,
    /// Nested selection, `{…}`.
    pub sub: Option<Fields>,
}

/// A parsed `fields` selection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fields(pub Vec<Field>);

impl Fields {
    /// Parses a selection; the error names what is wrong.
    pub fn parse(input: &str) -> Result<Self, String> {
        let mut parser = Parser { bytes: input.as_bytes(), pos: 0 };
        let fields = parser.list()?;
        if parser.pos != parser.bytes.len() {
            return Err(format!(
                "Syntax error \"Expected end of string\" at character {}: {input}",
                parser.pos
            ));
        }
        Ok(fields)
    }

    /// The selection from an optional query parameter, or `default` when absent or empty.
    pub fn from_param(param: Option<&str>, default: &str) -> Result<Self, String> {
        match param.map(str::trim) {
            Some(p) if !p.is_empty() => Self::parse(p),
            _ => Self::parse(default),
        }
    }

    /// The requested field called `name`.
    pub fn get(&self, name: &str) -> Option<&Field> {
        self.0.iter().find(|f| f.name == name)
    }

    /// Keeps only the requested fields of `object` (plus `id`, which Meta always returns).
    /// A requested field outside `known` is an error, as on the real API.
    pub fn project(&self, object: &Map<String, Value>, known: &[&str]) -> Result<Value, String> {
        let mut out = Map::new();
        if let Some(id) = object.get("id") {
            out.insert("id".into(), id.clone());
        }
        for field in &self.0 {
            if !known.contains(&field.name.as_str()) {
                return Err(format!("Tried accessing nonexisting field ({})", field.name));
            }
            let Some(value) = object.get(&field.name) else {
                continue;
            };
            let value = match (&field.sub, value) {
                (Some(sub), Value::Object(inner)) if !inner.contains_key("data") => {
                    let keys: Vec<&str> = inner.keys().map(String::as_str).collect();
                    sub.project(inner, &keys)?
                }
                _ => value.clone(),
            };
            out.insert(field.name.clone(), value);
        }
        Ok(Value::Object(out))
    }
}

impl std::fmt::Display for Fields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, field) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(&field.name)?;
            if let Some(limit) = field.limit {
                write!(f, ".limit({limit})")?;
            }
            if let Some(sub) = &field.sub {
                write!(f, "{{{sub}}}")?;
            }
        }
        Ok(())
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(|b| b == b' ') {
            self.pos += 1;
        }
    }

    fn list(&mut self) -> Result<Fields, String> {
        let mut fields = Vec::new();
        loop {
            self.skip_spaces();
            fields.push(self.field()?);
            self.skip_spaces();
            if self.peek() == Some(b',') {
                self.pos += 1;
            } else {
                return Ok(Fields(fields));
            }
        }
    }

    fn name(&mut self) -> Result<String, String> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(format!("Syntax error \"Expected name.\" at character {start}"));
        }
        Ok(String::from_utf8_lossy(&self.bytes[start..self.pos]).into_owned())
    }

    fn field(&mut self) -> Result<Field, String> {
        let name = self.name()?;
        let mut limit = None;
        while self.peek() == Some(b'.') {
            self.pos += 1;
            let modifier = self.name()?;
            self.expect(b'(')?;
            let start = self.pos;
            while self.peek().is_some_and(|b| b != b')') {
                self.pos += 1;
            }
            let arg = String::from_utf8_lossy(&self.bytes[start..self.pos]).into_owned();
            self.expect(b')')?;
            if modifier == "limit" {
                limit = Some(arg.trim().parse().map_err(|_| format!("Invalid limit: {arg}"))?);
            }
        }
        let sub = if self.peek() == Some(b'{') {
            self.pos += 1;
            let sub = self.list()?;
            self.expect(b'}')?;
            Some(sub)
        } else {
            None
        };
        Ok(Field { name, limit, sub })
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("Syntax error \"Expected {}\" at character {}", byte as char, self.pos))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_nested_selections_and_prints_them_back() {
        let input = "id,text,from{id,username},replies.limit(5){id,from{id}}";
        let fields = Fields::parse(input).expect("valid");
        assert_eq!(fields.0.len(), 4);
        assert_eq!(fields.get("replies").and_then(|f| f.limit), Some(5));
        assert_eq!(fields.to_string(), input);
    }

    #[test]
    fn rejects_broken_selections() {
        for bad in ["", "id,", "from{id", "a..b", "id}", "replies.limit(x)"] {
            assert!(Fields::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn projects_only_what_was_asked() {
        let object = json!({"id": "1", "text": "hi", "from": {"id": "2", "username": "u"}});
        let Value::Object(map) = object else { unreachable!() };
        let fields = Fields::parse("text,from{username}").expect("valid");
        let out = fields.project(&map, &["text", "from"]).expect("known");
        assert_eq!(out, json!({"id": "1", "text": "hi", "from": {"id": "2", "username": "u"}}));
        assert!(Fields::parse("nope").expect("valid").project(&map, &["text"]).is_err());
    }
}
