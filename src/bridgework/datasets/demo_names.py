"""Given names and family names for the demo network's fictional staff.

Drawn from the many backgrounds of a West Coast county's public workforce (Latino, Black
American, West and East African, Vietnamese, Hmong, Chinese, Korean, Japanese, Filipino,
South Asian, Middle Eastern, Armenian, Pacific Islander, Native American, European...).
People are made by pairing a random given name with a random family name, so no one in the
demo is a real person; diacritics are kept in names and folded away in email addresses.
"""

from __future__ import annotations

__all__ = ["FAMILY_NAMES", "GIVEN_NAMES"]


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


#: Given names; a name may contain a space (Hmong "Pa Nhia") or a hyphen (Korean "Min-jun").
GIVEN_NAMES = _names(
    """
    Aaliyah, Adebayo, Aiyana, Akira, Alejandro, Ali, Amara, Amina, Ana, Anh, Anjali, Anush,
    Aram, Arjun, Asha, Ayesha, Bao, Beatriz, Camila, Carlos, Chiamaka, Chloe, Daniela,
    Darius, Darnell, Deepa, Diego, Dmitri, Dolores, Elena, Emeka, Erik, Esperanza, Ethan,
    Farid, Fatima, Gabriel, Grace, Guadalupe, Hamid, Hana, Hannah, Hiroshi, Hoa, Ibrahim,
    Imani, Ingrid, Isabel, Jamal, Jasmine, Javier, Jin, José, Joon, Kai, Kaila, Kalani,
    Keisha, Kenji, Khadija, Kwame, Lakshmi, Layla, Leilani, Liam, Lucía, Mai, Malia, Malik,
    Marcus, Mariana, Marisol, Maya, Megan, Mei, Miguel, Min-jun, Nadia, Naledi, Nasser, Ngozi,
    Nia, Nkechi, Noah, Olga, Oluwaseun, Omar, Pa Nhia, Paolo, Patrick, Priya, Rafael, Rahul,
    Rana, Reza, Rosa, Samira, Santiago, Sara, Seo-yeon, Shirin, Siddharth, Sione, Siobhan,
    Sofia, Sunita, Tariq, Tavita, Teresa, Thanh, Tomás, Tyrone, Valentina, Vikram, Wei,
    Xiomara, Yasmin, Yusuf, Zainab, Zoë, Andrea, Benjamin, Cheyenne, Dalia, Efua, Fernando,
    Gloria, Hyun-woo, Ifeoma, Joaquín, Kamala, Lorenzo, Manuel, Nour, Oksana, Rubén, Selam,
    Tenzin, Ulises, Vanessa, Winona, Ximena, Yolanda, Zhen
    """
)

#: Family names; some have a space (Dela Cruz), an apostrophe (O'Brien) or diacritics.
FAMILY_NAMES = _names(
    """
    Abdi, Adeyemi, Ahmed, Anderson, Asante, Avetisyan, Banda, Bautista, Begay, Bekele, Berg,
    Bianchi, Boateng, Brown, Castillo, Chen, Cohen, Costa, Cruz, Dela Cruz, Diallo, Dlamini,
    Dubois, Fa'alogo, Farah, Fischer, Flores, Fonoti, Friedman, García, Goldberg, Grigoryan,
    Gupta, Haddad, Hakimi, Harris, Hassan, Hernández, Hosseini, Huang, Jackson, Jensen,
    Johnson, Kahale, Karimi, Kealoha, Kelly, Khan, Kim, Kovalenko, Kowalski, Larsen, Laurent,
    Le, Lee, Leota, Levi, Liu, López, Lor, Mahoe, Martínez, Mendoza, Mensah, Miller, Mohamud,
    Moreau, Morales, Moyo, Müller, Murphy, Nakamura, Ndiaye, Nguyễn, Nilsson, Novak, Nowak,
    O'Brien, Okafor, Okonkwo, Ortiz, Osei, Park, Patel, Pereira, Petrov, Pham, Phiri, Rahimi,
    Ramírez, Reddy, Reyes, Robinson, Rodríguez, Romano, Rossi, Sadeghi, Santos, Sarkisian,
    Sato, Schmidt, Shah, Silva, Singh, Smith, Souza, Sullivan, Tanaka, Tesfaye, Thao,
    Thompson, Torres, Traoré, Tran, Tsosie, Vang, Vargas, Vo, Walker, Wang, Warsame,
    Washington, Weber, Williams, Xiong, Yamamoto, Yazzie, Abebe, Alvarado, Baker, Chávez,
    Delgado, Espinoza, Gonzalez, Guerrero, Ibarra, Jiménez, Kaur, Mwangi, Nunez, Okeke,
    Quintero, Rivera, Salazar, Takahashi, Usman, Villanueva, Whitehorse, Zhang
    """
)
