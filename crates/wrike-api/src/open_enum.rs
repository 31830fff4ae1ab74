//! `open_enum!`: string enums that keep values they do not know.
//!
//! Wrike adds enum values without notice (audit operations, plans, field types), so every
//! enum in the models decodes an unknown value into `Other(String)` instead of failing,
//! and encodes it back unchanged.

/// Declares an enum whose variants are spelled on the wire exactly like their names, plus
/// an `Other(String)` variant for values this crate has never heard of.
#[macro_export]
macro_rules! open_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(non_camel_case_types)]
        $vis enum $name {
            $($variant,)+
            /// A value not known to this version of weft, kept as sent.
            Other(String),
        }

        impl $name {
            /// Every value this version knows, in declaration order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => stringify!($variant),)+
                    $name::Other(text) => text.as_str(),
                }
            }

            /// True for a value this version of weft knows by name.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $(stringify!($variant) => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok($name::from(text))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let known: Vec<&str> = vec![$(stringify!($variant)),+];
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some(format!(
                        "One of {} (Wrike may send values this version does not know)",
                        known.join(", ")
                    )))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok($name::from(text.as_ref()))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    open_enum!(
        pub enum Colour {
            Red,
            Green,
        }
    );

    #[test]
    fn unknown_values_survive_a_round_trip() {
        let decoded: Vec<Colour> = serde_json::from_str(r#"["Red","Mauve"]"#).unwrap();
        assert_eq!(decoded, vec![Colour::Red, Colour::Other("Mauve".into())]);
        assert!(!decoded[1].is_known());
        assert_eq!(
            serde_json::to_string(&decoded).unwrap(),
            r#"["Red","Mauve"]"#
        );
        assert_eq!(Colour::KNOWN.len(), 2);
    }
}
